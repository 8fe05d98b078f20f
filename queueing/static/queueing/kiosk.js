/* The kiosk's camera reads the QR code of a booking and checks it in.
 *
 * The decoded text goes into the code box and the check-in form is sent,
 * exactly as a hand-held scanner would type it; the server takes the code
 * from the end of the booking's address. Without a camera, or without
 * permission, the page says so and the typed code works as before.
 * Browsers give the camera only to secure pages: serve the kiosk over
 * HTTPS, or from localhost on the kiosk itself.
 */
(function () {
  "use strict";
  var button = document.getElementById("scan");
  var box = document.getElementById("code");
  if (!button || !box) { return; }
  var form = box.form;
  var panel = document.getElementById("scanner");
  var video = document.getElementById("scanner-video");
  var status = document.getElementById("scan-status");  // under the code box
  var hint = document.getElementById("scan-hint");  // over the camera picture
  var say = button.dataset;
  // The same rule as the server: a booking code is the last eight letters or digits.
  var BOOKING = /([A-Za-z0-9]{8})\/?$/;
  var GIVE_UP_MS = 60000;  // a kiosk left alone does not keep its camera on
  var prepared = false;
  var camera = null;

  function tell(text, problem) {
    var where = camera ? hint : status;
    (camera ? status : hint).textContent = "";
    where.textContent = text || "";
    where.classList.toggle("is-problem", Boolean(problem));
  }

  function reader() {
    var zx = window.ZXingWASM;
    if (!zx) { return null; }
    if (!prepared) {
      // The decoder would fetch its .wasm from a CDN; the kiosk may be offline, so serve ours.
      zx.prepareZXingModule({
        overrides: {
          locateFile: function (path, prefix) { return path.endsWith(".wasm") ? say.wasm : prefix + path; }
        }
      });
      prepared = true;
    }
    return zx;
  }

  // One picture (ImageData, Blob or image) to the text of its QR code, or "".
  function decode(picture) {
    var zx = reader();
    if (!zx) { return Promise.reject(new Error("no decoder")); }
    return zx.readBarcodes(picture, { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 })
      .then(function (results) {
        var found = results.find(function (r) { return r.isValid && r.text; });
        return found ? found.text : "";
      });
  }

  // What the camera loop does with each decoded text; true when it checked in.
  function deliver(text) {
    if (!text) { return false; }
    if (!BOOKING.test(text.trim())) { tell(say.notBooking, true); return false; }
    stop();
    tell(say.found);
    box.value = text.trim();
    form.requestSubmit();
    return true;
  }

  function stop() {
    if (!camera) { return; }
    clearTimeout(camera.timer);
    camera.stream.getTracks().forEach(function (track) { track.stop(); });
    video.srcObject = null;
    panel.hidden = true;
    camera = null;
  }

  function refused(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") { return say.denied; }
    if (name === "NotFoundError" || name === "OverconstrainedError") { return say.noCamera; }
    return say.failed;
  }

  function start() {
    if (camera) { return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      tell(window.isSecureContext ? say.noCamera : say.denied, true);
      box.focus();
      return;
    }
    tell("");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        var mine = { stream: stream, timer: 0 };
        camera = mine;
        mine.timer = setTimeout(function () { stop(); tell(say.timeout, true); }, GIVE_UP_MS);
        panel.hidden = false;
        tell(say.looking);
        document.getElementById("scan-stop").focus();
        video.srcObject = stream;
        return video.play().then(function () { look(mine); });
      })
      .catch(function (error) {
        stop();
        tell(refused(error), true);
        box.focus();
      });
  }

  function look(mine) {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    function frame() {
      if (camera !== mine) { return; }
      if (!video.videoWidth) { setTimeout(frame, 100); return; }
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      decode(context.getImageData(0, 0, canvas.width, canvas.height))
        .then(function (text) { if (!deliver(text)) { setTimeout(frame, 150); } })
        .catch(function () { stop(); tell(say.failed, true); });
    }
    frame();
  }

  if (!window.ZXingWASM) { return; }  // no decoder: the typed code is the only way
  button.hidden = false;
  button.addEventListener("click", start);
  document.getElementById("scan-stop").addEventListener("click", function () {
    stop();
    tell("");
    box.focus();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && camera) { stop(); tell(""); box.focus(); }
  });
  window.addEventListener("pagehide", stop);
  document.addEventListener("visibilitychange", function () { if (document.hidden) { stop(); } });

  // For tests and diagnostics: the path each camera frame takes.
  window.motcuaKiosk = { decode: decode, deliver: deliver, scanning: function () { return camera !== null; } };
})();
