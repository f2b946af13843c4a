/* Check in by QR code: the phone's camera reads the code on someone's confirmation.
 *
 * Progressive enhancement of templates/attendance/_door_scan.html: without this
 * file (or without a camera) the code is typed into a form, and searching by name
 * always works. The browser's BarcodeDetector reads the code where it exists;
 * elsewhere the vendored jsQR does. A code is sent once; the same code seen again
 * within a few seconds (still in front of the camera) is ignored.
 */
(function () {
  "use strict";
  var box = document.getElementById("door-camera");
  var door = document.getElementById("door");
  if (!box || !door || !window.fetch || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }

  var toggle = document.getElementById("door-camera-toggle");
  var video = document.getElementById("door-video");
  var status = document.getElementById("door-scan-status");
  var codeUrl = box.getAttribute("data-code-url");
  var csrfToken = door.getAttribute("data-csrf") || "";
  var label = function (name) { return box.getAttribute("data-label-" + name) || ""; };
  var CODE = /^[0-9A-HJKMNP-TV-Z]{10}$/;
  var stream = null;
  var detector = null;
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var lastCode = "";
  var lastAt = 0;
  var busy = false;

  box.hidden = false;

  function say(message) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 30);
  }

  function setCounts(counts) {
    if (!counts) { return; }
    Object.keys(counts).forEach(function (key) {
      var el = door.querySelector('[data-count="' + key + '"]');
      if (el) { el.textContent = String(counts[key]); }
    });
  }

  function send(code) {
    busy = true;
    var body = new FormData();
    body.append("csrf_token", csrfToken);
    body.append("door-code", code);
    fetch(codeUrl, { method: "POST", body: body, credentials: "same-origin",
                     headers: { "Accept": "application/json", "X-CSRFToken": csrfToken } })
      .then(function (response) { return response.json(); })
      .then(function (data) { setCounts(data.counts); say(data.message || ""); })
      .catch(function () { say(label("error")); })
      .then(function () { busy = false; });
  }

  function found(text) {
    var code = (text || "").replace(/[\s-]/g, "").toUpperCase();
    if (!CODE.test(code)) { return; }
    var now = Date.now();
    if (code === lastCode && now - lastAt < 4000) { return; }
    lastCode = code;
    lastAt = now;
    send(code);
  }

  function readFrame() {
    if (!stream) { return; }
    if (!busy && video.readyState >= 2 && video.videoWidth) {
      if (detector) {
        detector.detect(video).then(function (codes) {
          if (codes.length) { found(codes[0].rawValue); }
        }).catch(function () { detector = null; });
      } else if (window.jsQR) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var result = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (result) { found(result.data); }
      }
    }
    window.setTimeout(readFrame, 200);
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.hidden = true;
    toggle.textContent = label("start");
    toggle.setAttribute("aria-pressed", "false");
  }

  function start() {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        return video.play();
      })
      .then(function () {
        toggle.textContent = label("stop");
        toggle.setAttribute("aria-pressed", "true");
        say(label("looking"));
        readFrame();
      })
      .catch(function () { stop(); say(label("no-camera")); });
  }

  if ("BarcodeDetector" in window) {
    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") >= 0) { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); }
    }).catch(function () { detector = null; });
  }
  toggle.addEventListener("click", function () { if (stream) { stop(); } else { start(); } });
  window.addEventListener("pagehide", stop);
}());
