// Display screens (SITE-7 电子显示屏): the hall's big screen and the counter screens.
// Live updates come over server-sent events (a snapshot first, then every call, recall, ticket and window
// change of the centre, from every server process). Each call is spoken in Mandarin, by the browser or
// from pre-recorded clips (see "voice" below);
// announcements wait in a queue so a second call never cuts off the first, and a recall is spoken again.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) { return; }
  var centre = root.getAttribute("data-centre");
  var onlyWindow = root.getAttribute("data-window") ? parseInt(root.getAttribute("data-window"), 10) : null;
  var speakCalls = root.getAttribute("data-speak") !== "0";
  var prefix = "queueing.centre." + centre + ".";
  var state = { windows: [], calls: [], queues: [], notices: [], waiting: {}, avg: null, offset: 0 };
  var lastCallId = 0;
  var MAX_CALLS = 8;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // --- voice ---------------------------------------------------------------------------------------
  // data-voice: "speech" (the browser's zh-CN voice), "clips" (pre-recorded clips served by govhall, no
  // internet and no installed voice needed) or "auto" (speech when a zh-CN voice exists, clips otherwise).
  // A call's clip names come with the call event (govhall/queueing/voice.py).
  var voiceMode = root.getAttribute("data-voice") || "auto";
  var clipBase = root.getAttribute("data-clips") || "";
  var speech = { queue: [], speaking: false, supported: "speechSynthesis" in window, timer: null, played: [] };
  window.govhallSpeech = speech;

  function chineseVoice() {
    if (!speech.supported) { return null; }
    var voices = window.speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (/^zh(-|_)?CN/i.test(voices[i].lang)) { return voices[i]; }
    }
    return null;
  }

  function useClips() {
    if (voiceMode === "clips") { return true; }
    if (voiceMode === "speech") { return false; }
    return chineseVoice() === null;
  }

  function done() {
    window.clearTimeout(speech.timer);
    speech.speaking = false;
    window.setTimeout(pump, 500);
  }

  function playClips(names) {
    // One clip after the other; a clip that fails or never ends does not stall the queue.
    var index = 0;
    function next() {
      window.clearTimeout(speech.timer);
      if (index >= names.length) { return done(); }
      var name = names[index++];
      var audio = new window.Audio(clipBase + name + ".ogg");
      var moved = false;
      function advance() { if (!moved) { moved = true; next(); } }
      audio.addEventListener("ended", advance);
      audio.addEventListener("error", advance);
      speech.timer = window.setTimeout(advance, 4000);
      speech.played.push(name);
      var started = audio.play();
      if (started && started.catch) { started.catch(advance); }
    }
    next();
  }

  function speak(text) {
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.rate = 0.85;
    var voice = chineseVoice();
    if (voice) { utterance.voice = voice; }
    utterance.onend = done;
    utterance.onerror = done;
    // Some engines never fire onend: do not let the queue stall.
    speech.timer = window.setTimeout(done, 2000 + 400 * text.length);
    window.speechSynthesis.speak(utterance);
  }

  function pump() {
    if (speech.speaking || speech.queue.length === 0) { return; }
    var item = speech.queue.shift();
    var announcer = $("announcer");
    if (announcer) { announcer.textContent = item.text; }
    if (useClips()) {
      if (!item.clips || item.clips.length === 0) { return pump(); }
      speech.speaking = true;
      return playClips(item.clips);
    }
    if (!speech.supported) { return pump(); }
    speech.speaking = true;
    speak(item.text);
  }

  function announce(text, clips) {
    if (!speakCalls) { return; }
    speech.queue.push({ text: text, clips: clips || [] });
    pump();
  }

  var unlock = $("speech-unlock");
  if (unlock) {
    unlock.addEventListener("click", function () {
      unlock.parentNode.hidden = true;
      announce("语音播报已开启", ["chime", "voice_on"]);
    });
  }

  // --- rendering ----------------------------------------------------------------------------------
  function windowByNumber(number) {
    for (var i = 0; i < state.windows.length; i++) {
      if (state.windows[i].number === number) { return state.windows[i]; }
    }
    return null;
  }

  function renderWindows(flashNumber) {
    if (onlyWindow !== null) { return renderOne(); }
    var box = $("scr-windows");
    if (!box) { return; }
    box.textContent = "";
    box.setAttribute("data-cols", columns(state.windows.length));
    box.setAttribute("data-count", state.windows.length);
    state.windows.forEach(function (w) {
      var card = el("div", "scr-window " + w.status);
      card.setAttribute("role", "listitem");
      card.setAttribute("data-window", w.number);
      card.appendChild(el("div", "num", w.number + "号窗口 · " + w.name));
      var text = w.status === "paused" ? "暂停服务" + (w.reason ? "（" + w.reason + "）" : "") :
        (w.status === "closed" ? "未开放" : (w.ticket || "—"));
      card.appendChild(el("div", "code", text));
      if (w.number === flashNumber) { card.classList.add("flash"); }
      box.appendChild(card);
    });
  }

  // The same columns as govhall/queueing/selectors.py screen_columns: up to 30 cards fit at 1920×1080.
  function columns(count) {
    if (count <= 8) { return count > 6 ? 4 : 3; }
    return count <= 15 ? 5 : 6;
  }

  function renderOne() {
    var w = windowByNumber(onlyWindow);
    if (!w) { return; }
    $("one-code").textContent = w.status === "open" ? (w.ticket || "—") : "";
    $("one-state").textContent = w.status === "paused" ? "暂停服务" + (w.reason ? "（" + w.reason + "）" : "") :
      (w.status === "closed" ? "未开放" : "");
  }

  function renderCalls() {
    var list = $("scr-calls");
    if (!list) { return; }
    list.textContent = "";
    state.calls.forEach(function (c) {
      list.appendChild(el("li", null, c.code + " → " + c.window + "号窗口"));
    });
  }

  function renderQueues() {
    var box = $("scr-queues");
    if (!box) { return; }
    box.textContent = "";
    state.queues.forEach(function (q) {
      box.appendChild(el("span", null, q.label + " 等候 " + (state.waiting[q.key] || 0) + " 人"));
    });
    box.appendChild(el("span", null, "今日平均等候 " + (state.avg === null ? "—" : state.avg + " 分钟")));
  }

  function renderAll() { renderWindows(null); renderCalls(); renderQueues(); }

  // --- rolling notices (NET-3) and the clock --------------------------------------------------------
  var noticeIndex = 0;
  var PINNED = { complaint: true, supervision: true };
  function rolling() { return state.notices.filter(function (n) { return !PINNED[n.kind]; }); }
  function renderPhones() {
    var box = $("scr-phones");
    if (!box) { return; }
    box.textContent = "";
    state.notices.forEach(function (n) {
      if (!PINNED[n.kind]) { return; }
      var span = el("span", null, n.title + "：" + (n.phone || n.text));
      span.setAttribute("data-kind", n.kind);
      box.appendChild(span);
    });
  }
  function rollNotice() {
    var box = $("scr-notice");
    var list = rolling();
    if (!box || list.length === 0) { return; }
    var n = list[noticeIndex % list.length];
    box.textContent = n.title + "：" + n.text;
    noticeIndex += 1;
  }
  window.setInterval(rollNotice, 8000);

  // The hall's time is Beijing time (UTC+8, no daylight saving) whatever the display PC's time zone.
  var SHANGHAI_OFFSET = 8 * 3600 * 1000;
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var clock = $("scr-clock");
    if (!clock) { return; }
    var now = new Date(Date.now() + state.offset + SHANGHAI_OFFSET);
    var week = "日一二三四五六".charAt(now.getUTCDay());
    clock.textContent = now.getUTCFullYear() + "年" + (now.getUTCMonth() + 1) + "月" + now.getUTCDate() + "日 星期" +
      week + " " + pad(now.getUTCHours()) + ":" + pad(now.getUTCMinutes()) + ":" + pad(now.getUTCSeconds());
  }
  window.setInterval(tick, 1000);

  // --- events ---------------------------------------------------------------------------------------
  function applySnapshot(s) {
    state.windows = s.windows;
    state.calls = s.calls.map(function (c) { return { code: c.code, window: c.window }; });
    state.queues = s.queues;
    state.waiting = s.waiting;
    state.avg = s.average_wait_minutes;
    state.notices = s.notices;
    renderPhones();
    state.offset = new Date(s.server_time).getTime() - Date.now();
    s.calls.forEach(function (c) { lastCallId = Math.max(lastCallId, c.call_id); });
    renderAll();
    if (noticeIndex === 0) { rollNotice(); }
    tick();
    root.setAttribute("data-ready", "1");
  }

  function onCall(p) {
    if (p.waiting) { state.waiting = p.waiting; }
    var w = windowByNumber(p.ticket.window);
    if (w) { w.ticket = p.ticket.code; }
    if (!p.recall) {
      state.calls.unshift({ code: p.ticket.code, window: p.ticket.window });
      state.calls = state.calls.slice(0, MAX_CALLS);
    }
    renderWindows(p.ticket.window);
    renderCalls();
    renderQueues();
    if (p.call_id > lastCallId || p.recall) {
      lastCallId = Math.max(lastCallId, p.call_id);
      if (onlyWindow === null || onlyWindow === p.ticket.window) { announce(p.text, p.clips); }
    }
  }

  function onUpdate(p) {
    if (p.waiting) { state.waiting = p.waiting; }
    if (p.ticket && p.ticket.status !== "called" && p.ticket.status !== "serving") {
      state.windows.forEach(function (w) { if (w.ticket === p.ticket.code) { w.ticket = null; } });
    }
    renderWindows(null);
    renderQueues();
  }

  function onWindow(p) {
    var w = windowByNumber(p.window);
    if (w) {
      w.status = p.status;
      w.reason = p.reason;
      w.note = p.note;
    }
    renderWindows(null);
  }

  var source = null;
  function connect() {
    if (source) { source.close(); }
    source = new window.EventSource(root.getAttribute("data-events"));
    source.addEventListener("snapshot", function (e) { applySnapshot(JSON.parse(e.data)); });
    source.addEventListener(prefix + "call", function (e) { onCall(JSON.parse(e.data)); });
    source.addEventListener(prefix + "issued", function (e) { onUpdate(JSON.parse(e.data)); });
    source.addEventListener(prefix + "update", function (e) { onUpdate(JSON.parse(e.data)); });
    source.addEventListener(prefix + "window", function (e) { onWindow(JSON.parse(e.data)); });
    source.addEventListener(prefix + "reset", function () { connect(); });
    source.onerror = function () {
      if (source.readyState === window.EventSource.CLOSED) { window.setTimeout(connect, 3000); }
    };
  }
  connect();
})();
