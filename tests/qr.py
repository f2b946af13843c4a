"""Reading QR codes back with jsQR under node (tests/js), as the door page's scanner does."""
import shutil
import subprocess
from pathlib import Path

import pytest

JS_DIR = Path(__file__).parent / "js"


def read_qr(png: bytes, tmp_path: Path) -> str:
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed, so jsQR cannot read the QR code")
    if not (JS_DIR / "node_modules" / "jsqr").is_dir():
        npm = shutil.which("npm")
        assert npm, "node is installed but npm is not: `npm install` in tests/js"
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent"], cwd=JS_DIR, check=True, timeout=300)
    path = tmp_path / "qr.png"
    path.write_bytes(png)
    done = subprocess.run([node, str(JS_DIR / "decode_qr.mjs"), str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def vendored_jsqr_matches_npm() -> bool | None:
    """The copy in static/vendor is npm's jsqr/dist/jsQR.js unchanged (after its one-line header); None
    when the npm package is not installed."""
    npm_copy = JS_DIR / "node_modules" / "jsqr" / "dist" / "jsQR.js"
    if not npm_copy.exists():
        return None
    vendored = (Path(__file__).parents[1] / "gatherings" / "static" / "vendor" / "jsQR.js").read_text("utf-8")
    return vendored.split("\n", 1)[1] == npm_copy.read_text("utf-8")
