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
})();
