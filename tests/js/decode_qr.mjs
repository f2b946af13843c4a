// Read a QR code in a PNG with jsQR (the decoder the door page uses where the browser has no
// BarcodeDetector) and print what it says. Usage: node decode_qr.mjs FILE.png
import { readFileSync } from "node:fs";
import jsQR from "jsqr";
import { PNG } from "pngjs";

const png = PNG.sync.read(readFileSync(process.argv[2]));
const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
if (!found) { console.error("no QR code found"); process.exit(1); }
process.stdout.write(found.data);
