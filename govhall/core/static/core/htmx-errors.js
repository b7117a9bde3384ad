// A refusal is always visible (loaded by every base template that loads htmx).
// htmx 2 swaps nothing for a 4xx/5xx answer, so a refused action showed nothing at all. Our views answer a
// refusal with a real status and a Chinese message fragment: swap it into the target like a success and
// move focus to the message, so a screen reader reads it too. A 5xx or a lost connection carries no
// message worth showing: say 系统繁忙 next to the control that sent the request.
(function () {
  "use strict";
  var REFUSALS = [400, 403, 404, 409, 422, 429];
  var BUSY = "系统繁忙，请稍后再试";

  // Polling ("every 15s") and "load" requests have no triggering event: they must not steal focus.
  function byUser(detail) {
    var config = detail.requestConfig;
    return !!(config && config.triggeringEvent);
  }

  function focusMessage(root) {
    if (!root || !root.querySelector) { return; }
    var message = root.matches("[role=alert]") ? root : root.querySelector("[role=alert]");
    if (!message) { return; }
    if (!message.hasAttribute("tabindex")) { message.setAttribute("tabindex", "-1"); }
    message.focus({ preventScroll: true });
    message.scrollIntoView({ block: "center" });
  }

  function clearBusy(elt) {
    if (elt && elt.govhallBusy) {
      elt.govhallBusy.remove();
      elt.govhallBusy = null;
    }
  }

  function showBusy(detail) {
    var elt = detail.elt;
    if (!elt || !document.body.contains(elt)) { return; }
    var note = elt.govhallBusy;
    if (!note || !document.body.contains(note)) {
      note = document.createElement("p");
      note.className = "htmx-busy";
      note.setAttribute("role", "alert");
      note.setAttribute("tabindex", "-1");
      note.textContent = BUSY;
      if (elt === document.body) {
        document.body.insertBefore(note, document.body.firstChild);
      } else if (elt.tagName === "FORM") {
        elt.appendChild(note);
      } else {
        elt.insertAdjacentElement("afterend", note);
      }
      elt.govhallBusy = note;
    }
    if (byUser(detail)) { note.focus(); }
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (REFUSALS.indexOf(detail.xhr.status) !== -1) {
      detail.shouldSwap = true;
      detail.isError = false;  // handled here: no htmx:responseError, no 系统繁忙 note
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var detail = event.detail;
    if (REFUSALS.indexOf(detail.xhr.status) === -1 || !byUser(detail)) { return; }
    // htmx fires afterSwap on each swapped element (the target, or what replaced it in an outerHTML swap).
    focusMessage(event.target);
  });

  // A new try from the same control takes its old note away.
  document.addEventListener("htmx:beforeRequest", function (event) { clearBusy(event.detail.elt); });
  document.addEventListener("htmx:responseError", function (event) { showBusy(event.detail); });
  document.addEventListener("htmx:sendError", function (event) { showBusy(event.detail); });
  document.addEventListener("htmx:timeout", function (event) { showBusy(event.detail); });
})();
