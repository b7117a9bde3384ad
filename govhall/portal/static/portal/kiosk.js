// Kiosk mode: back to the start page (and standard text) after the idle time, and never leave the kiosk's
// pages.
(function () {
  "use strict";
  var body = document.body;
  var home = body.getAttribute("data-kiosk-home");
  if (!home) { return; }
  var seconds = parseInt(body.getAttribute("data-idle-seconds") || "60", 10);
  var timer = null;
  var large = document.documentElement.classList.contains("large");
  function goHome() {
    // On the start page with nothing entered and standard text there is nothing to reset; otherwise back
    // to the start, and to standard text for the next visitor (?reset=1).
    var fresh = !window.location.search || window.location.search === "?reset=1";
    if (window.location.pathname === home && fresh && !large) { arm(); return; }
    window.location.replace(home + "?reset=1");
  }
  function arm() {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(goHome, seconds * 1000);
  }
  ["pointerdown", "touchstart", "keydown", "input", "wheel", "scroll"].forEach(function (name) {
    document.addEventListener(name, arm, { capture: true, passive: true });
  });
  arm();

  // Links outside this kiosk (another site, the staff pages) do nothing.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link) { return; }
    var url = new URL(link.getAttribute("href"), window.location.href);
    if (url.origin !== window.location.origin || url.pathname.indexOf(home) !== 0) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("contextmenu", function (event) { event.preventDefault(); });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
