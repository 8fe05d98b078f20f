/* Uploads that survive a weak connection.
 *
 * Each chosen file is sent on its own, one at a time. A file that fails for
 * want of a connection (no answer, a server error, a time-out) is sent again
 * after 1, 2, 4 ... up to 60 seconds, and at once when the browser comes back
 * online or the person presses "Try now"; it stays listed until the server
 * has it, so nothing is dropped silently. The server keeps each file once by
 * its sha256, so a file sent twice is kept once. A file the server refuses
 * (wrong type, too big) is not retried: the refusal is shown by the paper.
 */
(function () {
  "use strict";
  var root = document.getElementById("uploader") || document.body;
  var say = root.dataset;
  var jobs = [];
  var busy = false;
  var MAX_DELAY = 60;

  function text(key, fallback) { return say[key] || fallback; }

  function listFor(form) {
    var list = form.querySelector("[data-queue]");
    if (!list) {
      list = document.createElement("ul");
      list.className = "upload-queue";
      list.setAttribute("aria-live", "polite");
      form.appendChild(list);
    }
    return list;
  }

  function newJob(form, file) {
    var li = document.createElement("li");
    li.className = "upload-job";
    var name = document.createElement("span");
    name.className = "job-name";
    name.textContent = file.name;
    var state = document.createElement("span");
    state.className = "job-state";
    li.append(name, " ", state);
    listFor(form).appendChild(li);
    return { form: form, file: file, li: li, stateEl: state, state: "queued", tries: 0, timer: null };
  }

  function show(job, message, kind) {
    job.stateEl.textContent = message;
    job.li.dataset.state = kind;
  }

  function payload(job) {
    var data = new FormData();
    job.form.querySelectorAll("input[type=hidden], select").forEach(function (input) {
      data.append(input.name, input.value);
    });
    data.append("file", job.file, job.file.name);
    return data;
  }

  function replaceItem(job, html) {
    var section = job.form.closest("[data-item]");
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.querySelector("[data-item]");
    if (!section || !fresh) { return; }
    section.replaceWith(fresh);
    var form = fresh.querySelector("form[data-upload]");
    // Files of this paper still waiting move into the new copy of the section.
    jobs.forEach(function (other) {
      if (other.form === job.form && other !== job && other.state !== "done") {
        other.form = form;
        listFor(form).appendChild(other.li);
      }
    });
  }

  function waitAndRetry(job) {
    job.state = "waiting";
    job.tries += 1;
    var left = Math.min(MAX_DELAY, Math.pow(2, job.tries - 1));
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link retry-now";
    button.textContent = text("retryNow", "Try now");
    button.addEventListener("click", function () { requeue(job); });
    job.li.appendChild(button);
    var tick = function () {
      if (!navigator.onLine) {
        show(job, text("offline", "Offline; the file waits."), "waiting");
      } else {
        show(job, text("retry", "Trying again in {s} s").replace("{s}", left), "waiting");
      }
      if (left <= 0) { requeue(job); return; }
      left -= 1;
      job.timer = setTimeout(tick, 1000);
    };
    tick();
  }

  function requeue(job) {
    if (job.state !== "waiting") { return; }
    clearTimeout(job.timer);
    job.timer = null;
    var button = job.li.querySelector(".retry-now");
    if (button) { button.remove(); }
    job.state = "queued";
    show(job, text("uploading", "Sending…"), "queued");
    pump();
  }

  function settle(job, status, body) {
    job.state = "done";
    if (status >= 200 && status < 300) {
      show(job, text("sent", "Sent"), "sent");
    } else {
      var reason = job.form.hasAttribute("data-plain") ? body : "";
      show(job, text("rejected", "Not accepted:") + " " + reason, "rejected");
    }
    if (!job.form.hasAttribute("data-plain")) {
      replaceItem(job, body);
    } else if (status < 300 && !jobs.some(function (o) { return o.form === job.form && o.state !== "done"; })) {
      window.location.reload();
    }
  }

  function send(job) {
    busy = true;
    job.state = "sending";
    show(job, text("uploading", "Sending…"), "sending");
    var xhr = new XMLHttpRequest();
    // getAttribute: an input named "action" shadows form.action.
    xhr.open("POST", job.form.getAttribute("action") || window.location.pathname);
    xhr.setRequestHeader("HX-Request", "true");
    xhr.timeout = 180000;
    xhr.upload.onprogress = function (event) {
      if (event.lengthComputable) {
        var percent = Math.round((100 * event.loaded) / event.total);
        show(job, text("uploading", "Sending…") + " " + percent + "%", "sending");
      }
    };
    var failed = function () {
      busy = false;
      waitAndRetry(job);
      pump();
    };
    xhr.onerror = failed;
    xhr.ontimeout = failed;
    xhr.onload = function () {
      var status = xhr.status;
      if (status === 0 || status >= 500 || status === 408 || status === 429) { failed(); return; }
      busy = false;
      settle(job, status, xhr.responseText);
      pump();
    };
    xhr.send(payload(job));
  }

  function pump() {
    if (busy) { return; }
    var next = jobs.find(function (job) { return job.state === "queued"; });
    if (next) { send(next); }
  }

  function add(form, files) {
    Array.prototype.forEach.call(files, function (file) {
      var job = newJob(form, file);
      show(job, text("uploading", "Sending…"), "queued");
      jobs.push(job);
    });
    pump();
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") { return; }
    var form = input.closest("form[data-upload]");
    if (!form || !input.files.length) { return; }
    add(form, input.files);
    input.value = "";
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-upload]");
    var input = form && form.querySelector("input[type=file]");
    if (input && input.files.length) {
      event.preventDefault();
      add(form, input.files);
      input.value = "";
    }
  });

  window.addEventListener("online", function () {
    jobs.forEach(function (job) { requeue(job); });
  });

  window.addEventListener("beforeunload", function (event) {
    if (jobs.some(function (job) { return job.state !== "done"; })) {
      event.preventDefault();
      event.returnValue = text("leave", "Some files are not sent yet.");
      return event.returnValue;
    }
    return undefined;
  });

  // Files go as soon as they are chosen; the plain Upload button is for pages without this script.
  document.documentElement.classList.add("js-uploads");
  // Files chosen while the page was still loading are sent now.
  document.querySelectorAll("form[data-upload] input[type=file]").forEach(function (input) {
    if (input.files.length) {
      add(input.closest("form[data-upload]"), input.files);
      input.value = "";
    }
  });
})();
