// Display screens (SITE-7 电子显示屏): the hall's big screen and the counter screens.
// Live updates come over server-sent events (a snapshot first, then every call, recall, ticket and window
// change of the centre, from every server process). Each call is spoken in Mandarin by the browser;
// announcements wait in a queue so a second call never cuts off the first, and a recall is spoken again.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) { return; }
  var centre = root.getAttribute("data-centre");
  var onlyWindow = root.getAttribute("data-window") ? parseInt(root.getAttribute("data-window"), 10) : null;
  var speak = root.getAttribute("data-speak") !== "0";
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

  // --- speech ------------------------------------------------------------------------------------
  var speech = { queue: [], speaking: false, supported: "speechSynthesis" in window, timer: null };
  window.govhallSpeech = speech;

  function chineseVoice() {
    if (!speech.supported) { return null; }
    var voices = window.speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (/^zh(-|_)?CN/i.test(voices[i].lang)) { return voices[i]; }
    }
    return null;
  }

  function done() {
    window.clearTimeout(speech.timer);
    speech.speaking = false;
    window.setTimeout(pump, 500);
  }

  function pump() {
    if (speech.speaking || speech.queue.length === 0) { return; }
    var text = speech.queue.shift();
    var announcer = $("announcer");
    if (announcer) { announcer.textContent = text; }
    if (!speech.supported) { return pump(); }
    speech.speaking = true;
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.rate = 0.85;
    var voice = chineseVoice();
    if (voice) { utterance.voice = voice; }
    utterance.onend = done;
    utterance.onerror = done;
    // Some engines never fire onend (no voice installed): do not let the queue stall.
    speech.timer = window.setTimeout(done, 2000 + 400 * text.length);
    window.speechSynthesis.speak(utterance);
  }

  function announce(text) {
    if (!speak) { return; }
    speech.queue.push(text);
    pump();
  }

  var unlock = $("speech-unlock");
  if (unlock) {
    unlock.addEventListener("click", function () {
      unlock.hidden = true;
      announce("语音播报已开启");
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
    state.windows.forEach(function (w) {
      var card = el("div", "scr-window " + w.status);
      card.setAttribute("data-window", w.number);
      card.appendChild(el("div", "num", w.number + "号窗口 · " + w.name));
      var text = w.status === "paused" ? "暂停服务" + (w.reason ? "（" + w.reason + "）" : "") :
        (w.status === "closed" ? "未开放" : (w.ticket || "—"));
      card.appendChild(el("div", "code", text));
      if (w.number === flashNumber) { card.classList.add("flash"); }
      box.appendChild(card);
    });
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
  function rollNotice() {
    var box = $("scr-notice");
    if (!box || state.notices.length === 0) { return; }
    var n = state.notices[noticeIndex % state.notices.length];
    box.textContent = n.title + "：" + n.text;
    noticeIndex += 1;
  }
  window.setInterval(rollNotice, 8000);

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var clock = $("scr-clock");
    if (!clock) { return; }
    var now = new Date(Date.now() + state.offset);
    var week = "日一二三四五六".charAt(now.getDay());
    clock.textContent = now.getFullYear() + "年" + (now.getMonth() + 1) + "月" + now.getDate() + "日 星期" + week +
      " " + pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
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
      if (onlyWindow === null || onlyWindow === p.ticket.window) { announce(p.text); }
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
