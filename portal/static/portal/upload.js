/* Uploads that survive a weak connection.
 *
 * Each chosen file is sent on its own, one at a time. Where the form names an
 * upload address (data-chunks), the file goes in pieces of 256 KB: the server
 * gives the upload an address and says how far it has the file; after a cut
 * the page asks it again and goes on from there, so nothing the server has
 * is sent twice. The file's sha256 (when the browser can compute it) lets the
 * server find an upload begun before the page was reloaded. Other forms send
 * the file whole.
 *
 * A file that fails for want of a connection (no answer, a server error, a
 * time-out) is tried again after 1, 2, 4 ... up to 60 seconds, and at once
 * when the browser comes back online or the person presses "Try now"; it
 * stays listed until the server has it, so nothing is dropped silently. The
 * server keeps each file once by its sha256, so a file sent twice is kept
 * once. A file the server refuses (wrong type, too big) is not retried: the
 * refusal is shown by the paper.
 */
(function () {
  "use strict";
  var root = document.getElementById("uploader") || document.body;
  var say = root.dataset;
  var jobs = [];
  var busy = false;
  var MAX_DELAY = 60;
  var CHUNK = 256 * 1024;

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
    return {
      form: form, file: file, li: li, stateEl: state, state: "queued", tries: 0, timer: null,
      // The upload's address on the server, and how far the server has the file (null: ask it).
      upload: null, offset: null, chunk: null, sha: null
    };
  }

  function show(job, message, kind) {
    job.stateEl.textContent = message;
    job.li.dataset.state = kind;
  }

  function fields(job) {
    var data = new FormData();
    job.form.querySelectorAll("input[type=hidden], select").forEach(function (input) {
      data.append(input.name, input.value);
    });
    return data;
  }

  function payload(job) {
    var data = fields(job);
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

  function sending(job, loaded) {
    var size = job.file.size || 1;
    var percent = Math.min(100, Math.round((100 * loaded) / size));
    show(job, text("uploading", "Sending…") + " " + percent + "%", "sending");
  }

  function failed(job) {
    busy = false;
    job.offset = null;
    waitAndRetry(job);
    pump();
  }

  function finish(job, xhr) {
    busy = false;
    settle(job, xhr.status, xhr.responseText);
    pump();
  }

  // One request of a job. A lost connection, a server error or a time-out is
  // a failure to retry; any other answer goes to then(xhr, json), json being
  // null when the answer is not JSON (the paper's own answer).
  function call(job, method, url, body, then, progress) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader("HX-Request", "true");
    var token = job.form.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { xhr.setRequestHeader("X-CSRFToken", token.value); }
    if (body instanceof Blob) { xhr.setRequestHeader("Content-Type", "application/octet-stream"); }
    xhr.timeout = 180000;
    if (progress) {
      xhr.upload.onprogress = function (event) { if (event.lengthComputable) { progress(event.loaded); } };
    }
    xhr.onerror = function () { failed(job); };
    xhr.ontimeout = function () { failed(job); };
    xhr.onload = function () {
      var status = xhr.status;
      if (status === 0 || status >= 500 || status === 408 || status === 429) { failed(job); return; }
      var json = null;
      if ((xhr.getResponseHeader("Content-Type") || "").indexOf("application/json") === 0) {
        try { json = JSON.parse(xhr.responseText); } catch (error) { json = null; }
      }
      then(xhr, json);
    };
    xhr.send(body);
  }

  function sendWhole(job) {
    // getAttribute: an input named "action" shadows form.action.
    var url = job.form.getAttribute("action") || window.location.pathname;
    call(job, "POST", url, payload(job), function (xhr) { finish(job, xhr); }, function (loaded) {
      sending(job, loaded);
    });
  }

  function digest(file) {
    if (!(window.crypto && window.crypto.subtle && file.arrayBuffer)) { return Promise.resolve(""); }
    return file.arrayBuffer()
      .then(function (buffer) { return window.crypto.subtle.digest("SHA-256", buffer); })
      .then(function (hash) {
        return Array.prototype.map.call(new Uint8Array(hash), function (byte) {
          return ("0" + byte.toString(16)).slice(-2);
        }).join("");
      }, function () { return ""; });
  }

  // Where the server stands, then the next piece from there; the paper's answer ends the job.
  function step(job) {
    if (!job.upload) { begin(job); } else if (job.offset === null) { resync(job); } else { piece(job); }
  }

  function begin(job) {
    var data = fields(job);
    data.append("file_name", job.file.name);
    data.append("size", job.file.size);
    data.append("sha256", job.sha || "");
    call(job, "POST", job.form.dataset.chunks, data, function (xhr, json) {
      if (!json) { finish(job, xhr); return; }
      job.upload = json.upload;
      job.offset = json.offset;
      job.chunk = json.chunk || CHUNK;
      step(job);
    });
  }

  function resync(job) {
    call(job, "GET", job.upload, null, function (xhr, json) {
      if (xhr.status === 404) {
        // The server no longer knows this upload (a day passed): begin it again.
        job.upload = null;
        step(job);
        return;
      }
      if (!json) { finish(job, xhr); return; }
      job.offset = json.offset;
      step(job);
    });
  }

  function piece(job) {
    var start = job.offset;
    var end = Math.min(job.file.size, start + (job.chunk || CHUNK));
    var url = job.upload + "?offset=" + start;
    sending(job, start);
    call(job, "POST", url, job.file.slice(start, end), function (xhr, json) {
      if (xhr.status === 404) {
        job.upload = null;
        step(job);
        return;
      }
      if (!json) { finish(job, xhr); return; }
      // The next offset, or (409) the one the server has: go on from there.
      if (json.offset > start) { job.tries = 0; }  // progress: the next wait starts short again
      job.offset = json.offset;
      step(job);
    }, function (loaded) { sending(job, start + loaded); });
  }

  function send(job) {
    busy = true;
    job.state = "sending";
    show(job, text("uploading", "Sending…"), "sending");
    if (!job.form.dataset.chunks) { sendWhole(job); return; }
    if (job.sha !== null) { step(job); return; }
    digest(job.file).then(function (sha) {
      job.sha = sha;
      step(job);
    });
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
    // A form with more to fill in (data-plain) sends when it is submitted.
    if (!form || form.hasAttribute("data-plain") || !input.files.length) { return; }
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
  document.querySelectorAll("form[data-upload]:not([data-plain]) input[type=file]").forEach(function (input) {
    if (input.files.length) {
      add(input.closest("form[data-upload]"), input.files);
      input.value = "";
    }
  });
})();
