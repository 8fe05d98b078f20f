/* The display board: live calls over server-sent events, a chime, and the call read aloud.
 *
 * The call is read with the browser's Vietnamese voice when it has one;
 * otherwise short clips shipped with MotCua (static/audio/vi/) are played one
 * after another, so the board speaks with no internet. queueing/speech.py
 * holds the same number rules; the tests compare the two.
 */
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) { return; }
  var audioBase = root.dataset.audio;
  var counterLabel = root.dataset.counterLabel;
  var pausedLabel = root.dataset.pausedLabel;
  var RECENT = 8;

  var hook = window.motcuaBoard = { events: [], spoken: [], clips: [], voice: null, soundOn: false };

  var DIGITS = ["khong", "mot", "hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin"];

  function belowThousand(n, full) {
    var hundreds = Math.floor(n / 100), rest = n % 100, tens = Math.floor(rest / 10), units = rest % 10;
    var words = [];
    if (hundreds || full) { words.push(DIGITS[hundreds], "tram"); }
    if (tens === 0) {
      if (units && words.length) { words.push("linh"); }
      if (units) { words.push(DIGITS[units]); }
      return words;
    }
    if (tens === 1) {
      words.push("muoi");
      if (units === 5) { words.push("lam"); } else if (units) { words.push(DIGITS[units]); }
      return words;
    }
    words.push(DIGITS[tens], "muoi_");
    if (units === 1) { words.push("mot_"); }
    else if (units === 4) { words.push("tu"); }
    else if (units === 5) { words.push("lam"); }
    else if (units) { words.push(DIGITS[units]); }
    return words;
  }

  function numberWords(n) {
    if (n === 0) { return ["khong"]; }
    var millions = Math.floor(n / 1000000), rest = n % 1000000;
    var thousands = Math.floor(rest / 1000), units = rest % 1000, words = [];
    if (millions) { words = words.concat(belowThousand(millions, false), ["trieu"]); }
    if (thousands) { words = words.concat(belowThousand(thousands, words.length > 0), ["nghin"]); }
    if (units) { words = words.concat(belowThousand(units, words.length > 0)); }
    return words;
  }

  function callWords(number, counter) {
    return ["xin_moi_so"].concat(numberWords(number), ["den_quay_so"], numberWords(counter));
  }
  hook.numberWords = numberWords;
  hook.callWords = callWords;

  // -- sound -----------------------------------------------------------------------------------

  function vietnameseVoice() {
    if (!("speechSynthesis" in window)) { return null; }
    var voices = window.speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (/^vi\b/i.test(voices[i].lang)) { return voices[i]; }
    }
    return null;
  }
  if ("speechSynthesis" in window) {
    window.speechSynthesis.onvoiceschanged = function () { hook.voice = vietnameseVoice(); };
    hook.voice = vietnameseVoice();
  }

  var cache = {};
  function clip(name) {
    var url = audioBase + (name === "chime" ? "chime.mp3" : "vi/" + name + ".mp3");
    if (!cache[url]) { cache[url] = new Audio(url); cache[url].preload = "auto"; }
    return cache[url];
  }

  function play(name) {
    return new Promise(function (resolve) {
      var audio = clip(name), done = false;
      hook.clips.push(audio.src);
      function finish() { if (!done) { done = true; audio.onended = audio.onerror = null; resolve(); } }
      audio.onended = finish;
      audio.onerror = finish;
      setTimeout(finish, 2500);  // a clip that never ends must not stop the board
      try { audio.currentTime = 0; } catch (e) { /* not loaded yet */ }
      var started = audio.play();
      if (started && started.catch) { started.catch(finish); }
    });
  }

  function speak(number, counter) {
    var sentence = "Xin mời số " + number + " đến quầy số " + counter;
    hook.spoken.push(sentence);
    var voice = hook.voice || vietnameseVoice();
    if (voice) {
      return new Promise(function (resolve) {
        var utterance = new SpeechSynthesisUtterance(sentence);
        utterance.voice = voice;
        utterance.lang = voice.lang;
        utterance.rate = 0.9;
        utterance.onend = utterance.onerror = function () { resolve(); };
        setTimeout(resolve, 8000);
        window.speechSynthesis.speak(utterance);
      });
    }
    return callWords(number, counter).reduce(function (chain, word) {
      return chain.then(function () { return play(word); });
    }, Promise.resolve());
  }

  // Calls are read one after another, each once, chime first.
  var queue = Promise.resolve();
  function announce(number, counter) {
    queue = queue.then(function () {
      return play("chime").then(function () { return speak(number, counter); });
    });
  }

  var soundButton = document.getElementById("sound");
  function soundOn() {
    hook.soundOn = true;
    soundButton.hidden = true;
    clip("chime").load();  // a gesture lets this page play sound from now on
  }
  soundButton.addEventListener("click", soundOn);
  if (/[?&]sound=1\b/.test(location.search)) { soundOn(); }

  // -- the board -------------------------------------------------------------------------------

  var counters = document.getElementById("counters");
  var recent = document.getElementById("recent");

  function tile(number) {
    var found = counters.querySelector('[data-counter="' + number + '"]');
    if (found) { return found; }
    var none = counters.querySelector(".q-counter-none");
    if (none) { none.remove(); }
    var li = document.createElement("li");
    li.className = "q-counter";
    li.dataset.counter = number;
    li.innerHTML = '<span class="q-counter-name"></span><span class="q-counter-number">–</span>';
    li.firstChild.textContent = counterLabel + " " + number;
    var items = counters.querySelectorAll("[data-counter]"), before = null;
    for (var i = 0; i < items.length; i++) {
      if (Number(items[i].dataset.counter) > Number(number)) { before = items[i]; break; }
    }
    counters.insertBefore(li, before);
    return li;
  }

  var announceBox = document.getElementById("announce"), announceTimer = null;
  function flash(number, counter) {
    document.getElementById("announce-number").textContent = number;
    document.getElementById("announce-counter").textContent = "→ " + counterLabel + " " + counter;
    announceBox.hidden = false;
    clearTimeout(announceTimer);
    announceTimer = setTimeout(function () { announceBox.hidden = true; }, 6000);
  }

  function handle(event) {
    hook.events.push({ event: event, receivedAt: Date.now() });
    var li = tile(event.counter);
    if (event.kind === "call" || event.kind === "recall") {
      li.classList.remove("is-paused");
      li.querySelector(".q-counter-number").textContent = event.number;
      li.classList.remove("is-new");
      void li.offsetWidth;
      li.classList.add("is-new");
      var item = document.createElement("li");
      item.innerHTML = '<span class="q-recent-number"></span> <span class="q-arrow">→</span> <span></span>';
      item.firstChild.textContent = event.number;
      item.lastChild.textContent = counterLabel + " " + event.counter;
      recent.insertBefore(item, recent.firstChild);
      while (recent.children.length > RECENT) { recent.removeChild(recent.lastChild); }
      flash(event.number, event.counter);
      announce(event.number, event.counter);
    } else if (event.kind === "paused") {
      li.classList.add("is-paused");
      li.querySelector(".q-counter-number").textContent = pausedLabel;
    } else if (event.kind === "open") {
      li.classList.remove("is-paused");
      var shown = li.querySelector(".q-counter-number");
      if (shown.textContent === pausedLabel) { shown.textContent = "–"; }
    } else if (event.kind === "closed") {
      li.remove();
    }
  }

  var link = document.getElementById("link-state");
  function connect() {
    var source = new EventSource(root.dataset.events);
    source.addEventListener("board", function (message) { handle(JSON.parse(message.data)); });
    source.onopen = function () { link.textContent = link.dataset.ok; link.classList.remove("is-lost"); };
    source.onerror = function () { link.textContent = link.dataset.lost; link.classList.add("is-lost"); };
    hook.source = source;
  }
  connect();

  var clock = document.getElementById("clock");
  function tick() {
    // The center's time, whatever zone the screen's own clock was set to.
    var now = new Date();
    var zone = { timeZone: root.dataset.timeZone || undefined };
    clock.textContent =
      now.toLocaleTimeString("vi-VN", Object.assign({ hour: "2-digit", minute: "2-digit" }, zone)) +
      " · " + now.toLocaleDateString("vi-VN", zone);
  }
  tick();
  setInterval(tick, 10000);
  // A board runs for days: start afresh every few hours, between calls.
  setTimeout(function () { location.reload(); }, 4 * 3600 * 1000);
})();
