// Front desk helpers: keyboard shortcuts, scanner input, one-click forms, QR by camera.
// Every page works without this file; it only saves keystrokes and clicks.
(function () {
  "use strict";

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  // "/" jumps to the page's search box, as in many web applications.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.altKey || event.ctrlKey || event.metaKey) return;
    if (typing(document.activeElement)) return;
    var box = document.querySelector("[data-slash-focus]");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });

  // Alt+letter runs the element with that access key in every browser (Firefox
  // wants Alt+Shift natively, and some keyboards send no text with Alt).
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || !/^Key[A-Z]$/.test(event.code)) return;
    var letter = event.code.slice(3).toLowerCase();
    var target = document.querySelector('[accesskey="' + letter + '"]');
    if (!target) return;
    event.preventDefault();
    if (target instanceof HTMLAnchorElement) {
      window.location.assign(target.href);
    } else if (target instanceof HTMLButtonElement && target.type === "submit" && target.form) {
      target.form.requestSubmit(target);
    } else {
      target.focus();
      if (target instanceof HTMLInputElement && target.select) target.select();
    }
  });

  // A keyboard-wedge scanner ends with Enter: read the scan (htmx listens), do not submit.
  // Enter in the procedure search moves to the first procedure found.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    var el = event.target;
    if (!(el instanceof HTMLElement)) return;
    if (el.hasAttribute("data-enter-no-submit")) { event.preventDefault(); return; }
    var list = el.getAttribute("data-enter-first");
    if (list) {
      event.preventDefault();
      var first = document.querySelector(list + " button, " + list + " a");
      if (first) first.focus();
    }
  }, true);

  // The server says where the officer types next after a fragment was swapped in.
  document.addEventListener("desk-focus", function (event) {
    var target = event.detail && document.querySelector(event.detail.value);
    if (target) target.focus();
  });

  // One click only: the server refuses a second use of the form's token anyway.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once-form")) return;
    var submitter = event.submitter;
    if (!submitter || !submitter.hasAttribute("data-once")) return;
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    // Disabled after the browser has read the button's value into the submission.
    setTimeout(function () { submitter.disabled = true; submitter.setAttribute("aria-busy", "true"); }, 0);
  });

  // -- QR codes by camera or photo, decoded in the browser by the vendored zxing-wasm --
  var prepared = false;

  function reader(wasmUrl) {
    var zx = window.ZXingWASM;
    if (!zx) return null;
    if (!prepared) {
      // The decoder would fetch its .wasm from a CDN by default; serve our copy instead.
      zx.prepareZXingModule({
        overrides: { locateFile: function (path, prefix) { return path.endsWith(".wasm") ? wasmUrl : prefix + path; } },
      });
      prepared = true;
    }
    return zx;
  }

  var OPTIONS = { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 };

  function status(text) {
    var box = document.querySelector(".qr-status");
    if (box) box.textContent = text || "";
  }

  function deliver(target, text, submit) {
    var input = document.querySelector(target);
    if (!input) return;
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    if (window.htmx && input.hasAttribute("hx-post")) {
      window.htmx.trigger(input, "desk:scanned");
    } else if (submit && input.form) {
      input.form.requestSubmit();
    }
    input.focus();
  }

  async function decode(source, wasmUrl) {
    var zx = reader(wasmUrl);
    if (!zx) throw new Error("decoder missing");
    var found = await zx.readBarcodes(source, OPTIONS);
    var valid = found.filter(function (r) { return r.isValid && r.text; });
    return valid.length ? valid[0].text : "";
  }
  window.deskDecodeQr = decode;

  var camera = null;

  function stopCamera() {
    if (!camera) return;
    camera.stream.getTracks().forEach(function (t) { t.stop(); });
    camera.box.hidden = true;
    camera = null;
  }

  async function startCamera(button) {
    stopCamera();
    var box = document.querySelector(".qr-camera");
    var video = box && box.querySelector("video");
    if (!video || !navigator.mediaDevices) { status(button.dataset.noCamera || "No camera."); return; }
    var stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      status(String(error && error.message || error));
      return;
    }
    camera = { stream: stream, box: box };
    box.hidden = false;
    video.srcObject = stream;
    await video.play();
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    async function tick() {
      if (!camera) return;
      if (video.videoWidth) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0);
        var text = await decode(context.getImageData(0, 0, canvas.width, canvas.height), button.dataset.wasm);
        if (text) {
          stopCamera();
          deliver(button.getAttribute("data-qr-camera"), text, button.hasAttribute("data-qr-submit"));
          return;
        }
      }
      setTimeout(tick, 200);
    }
    tick();
  }

  document.addEventListener("click", function (event) {
    var el = event.target instanceof Element ? event.target.closest("[data-qr-camera], [data-qr-stop]") : null;
    if (!el) return;
    if (el.hasAttribute("data-qr-stop")) { stopCamera(); return; }
    startCamera(el);
  });

  document.addEventListener("change", async function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-qr-image")) return;
    var file = input.files && input.files[0];
    if (!file) return;
    try {
      var text = await decode(file, input.dataset.wasm);
      if (text) { status(""); deliver(input.getAttribute("data-qr-image"), text, false); }
      else status(input.dataset.notFound || "No QR code found in the picture.");
    } catch (error) {
      status(String(error && error.message || error));
    }
    input.value = "";
  });
})();
