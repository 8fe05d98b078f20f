/* Read the QR code of a chip ID card from a photo, in the browser.
 *
 * The photo never leaves the phone: the QR text goes into the form field,
 * and the server reads and cross-checks it when the person presses the button.
 */
(function () {
  "use strict";
  var box = document.querySelector("[data-idcard-reader]");
  if (!box || !window.ZXingWASM) { if (box) { box.hidden = true; } return; }
  var say = box.dataset;
  var input = box.querySelector("input[type=file]");
  var status = box.querySelector("[data-status]");
  var target = document.getElementById("id_qr");
  var wasm = say.wasm;
  window.ZXingWASM.setZXingModuleOverrides({
    locateFile: function (path, prefix) { return path.endsWith(".wasm") ? wasm : prefix + path; }
  });
  input.addEventListener("change", function () {
    var file = input.files[0];
    if (!file) { return; }
    status.textContent = say.reading;
    window.ZXingWASM.readBarcodes(file, {
      formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1, characterSet: "UTF8"
    }).then(function (results) {
      var found = results.find(function (r) { return r.isValid && r.text; });
      if (!found) { status.textContent = say.notfound; return; }
      target.value = found.text;
      status.textContent = say.found;
      target.form.querySelector("button[type=submit]").focus();
    }).catch(function () {
      status.textContent = say.notfound;
    }).finally(function () { input.value = ""; });
  });
})();
