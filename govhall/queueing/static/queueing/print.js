// The printed ticket: print once on load when the page asks for it (kiosk), then offer to go back.
(function () {
  "use strict";
  var ticket = document.querySelector("[data-autoprint='1']");
  if (ticket) {
    window.addEventListener("load", function () { window.setTimeout(function () { window.print(); }, 300); });
  }
  var button = document.querySelector(".js-print");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
  var back = document.querySelector("[data-return-after]");
  if (back) {
    window.setTimeout(function () { window.location.href = back.getAttribute("href"); },
      1000 * parseInt(back.getAttribute("data-return-after"), 10));
  }
})();
