// Small enhancements; every page works without this file.
(function () {
  "use strict";
  // A form marked data-once is sent once: a double click does not send it twice (the server also
  // refuses a second submit of the same form token).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); });
      }, 0);
    });
  });

  // 长辈版: read the page's main text aloud with the browser's speech (a zh-CN voice); without one, say so.
  var read = document.getElementById("read-aloud");
  var note = document.getElementById("read-aloud-note");
  if (read && note) {
    read.hidden = false;
    var synth = window.speechSynthesis;
    var zhVoice = function () {
      var voices = synth ? synth.getVoices() : [];
      for (var i = 0; i < voices.length; i++) { if (/^zh/i.test(voices[i].lang)) { return voices[i]; } }
      return null;
    };
    var speak = function () {
      var voice = zhVoice();
      if (!voice) { note.hidden = false; return; }
      var main = document.getElementById("main").cloneNode(true);
      main.querySelectorAll(".read-aloud, script, form").forEach(function (el) { el.remove(); });
      var u = new window.SpeechSynthesisUtterance(main.innerText.slice(0, 4000));
      u.lang = "zh-CN"; u.voice = voice; u.rate = 0.9;
      synth.speak(u);
      read.textContent = "停止朗读";
      u.onend = function () { read.textContent = "朗读本页"; };
    };
    read.addEventListener("click", function () {
      if (!synth || !window.SpeechSynthesisUtterance) { note.hidden = false; return; }
      if (synth.speaking) { synth.cancel(); read.textContent = "朗读本页"; return; }
      if (synth.getVoices().length) { speak(); return; }
      // Voices load late on some browsers: wait a moment for them, then decide.
      var done = false;
      var go = function () { if (!done) { done = true; speak(); } };
      synth.addEventListener("voiceschanged", go, { once: true });
      window.setTimeout(go, 800);
    });
  }
})();
