// The window rating pad (一次一评). The page shows the clerk's card; right after the clerk finishes a
// ticket the server-rendered state turns into the rating form. The queue's events (server-sent events) tell
// the pad when to look again; a poll every few seconds covers a dropped stream. The state is only replaced
// when its key changes, so a visitor half-way through the form is never interrupted.
(function () {
  "use strict";
  var root = document.getElementById("pad");
  if (!root) { return; }
  var stateUrl = root.getAttribute("data-state-url");
  var eventsUrl = root.getAttribute("data-events-url");
  var homeUrl = root.getAttribute("data-home-url");
  var windowNumber = parseInt(root.getAttribute("data-window"), 10);
  var prefix = "queueing.centre." + root.getAttribute("data-centre") + ".";
  var POLL_MS = 8000;
  var THANKS_MS = 5000;
  var busy = false;

  if (root.getAttribute("data-thanks") === "1") {
    window.setTimeout(function () { window.location.replace(homeUrl); }, THANKS_MS);
    return;
  }

  function refresh() {
    if (busy) { return; }
    busy = true;
    window.fetch(stateUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("state " + response.status); }
        var key = response.headers.get("X-Pad-Key");
        return response.text().then(function (html) { return { key: key, html: html }; });
      })
      .then(function (result) {
        if (result.key && result.key !== root.getAttribute("data-key")) {
          var holder = document.getElementById("pad-state");
          holder.innerHTML = result.html;
          root.setAttribute("data-key", result.key);
        }
      })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { busy = false; });
  }

  function concernsMe(data) {
    if (!data) { return false; }
    if (data.window === windowNumber) { return true; }
    return Boolean(data.ticket && data.ticket.window === windowNumber);
  }

  function connect() {
    if (!window.EventSource) { return; }
    var source = new window.EventSource(eventsUrl);
    source.addEventListener("snapshot", function () { root.setAttribute("data-live", "1"); refresh(); });
    ["update", "window", "call", "reset"].forEach(function (kind) {
      source.addEventListener(prefix + kind, function (e) {
        var data = null;
        try { data = JSON.parse(e.data); } catch (err) { data = null; }
        if (kind === "reset" || concernsMe(data)) { refresh(); }
      });
    });
    source.addEventListener("reviews.centre." + root.getAttribute("data-centre") + ".rated", refresh);
  }

  connect();
  window.setInterval(refresh, POLL_MS);
})();
