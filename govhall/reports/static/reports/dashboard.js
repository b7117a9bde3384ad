// The city dashboard: fold villages under their town (a town's village rows are fetched by htmx on its first
// unfold), and refresh the figures when the event bus reports a change in one of the user's centres (SSE,
// like the hall's display screen); the server recomputes today's figures of the centres named and sends the
// table back, with the villages of the towns unfolded here.
(function () {
  const box = document.getElementById("r-table");
  if (!box) return;
  box.addEventListener("click", (e) => {
    const btn = e.target.closest(".r-fold");
    if (!btn) return;
    const body = btn.closest("tbody");
    body.classList.toggle("open");
    const open = body.classList.contains("open");
    btn.textContent = open ? "▾" : "▸";
    btn.setAttribute("aria-expanded", open ? "true" : "false");
  });
  if (!box.dataset.live) return;
  const changed = new Set();
  let timer = null;
  function refresh() {
    timer = null;
    const params = new URLSearchParams(box.dataset.query);
    for (const c of changed) params.append("changed", c);
    changed.clear();
    for (const b of box.querySelectorAll("tbody.r-town.open")) params.append("open", b.dataset.town);
    fetch(box.dataset.figures + "?" + params.toString(), { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => {
        box.innerHTML = html;
        if (window.htmx) window.htmx.process(box); // the folds of the towns still folded
        const live = document.getElementById("r-live");
        live.textContent = "实时 · 已更新";
        live.classList.add("flash");
        setTimeout(() => live.classList.remove("flash"), 1500);
      })
      .catch(() => {});
  }
  // The stream names each event by its topic (`queueing.centre.12.call`), as the display screens expect:
  // listen to every topic of the centres on the page.
  const kinds = {
    queueing: ["issued", "call", "update", "window", "reset"],
    cases: ["received", "accepted", "rejected", "correction", "supplied", "step", "suspended", "resumed",
      "finished", "delivered", "deadline"],
    reviews: ["rated"],
  };
  const onEvent = (e) => {
    const m = /\.centre\.(\d+)\./.exec(e.type);
    if (m) changed.add(m[1]);
    if (!timer) timer = setTimeout(refresh, 400);
  };
  const source = new EventSource(box.dataset.events);
  for (const id of JSON.parse(box.dataset.centres || "[]")) {
    for (const [app, list] of Object.entries(kinds)) {
      for (const kind of list) source.addEventListener(`${app}.centre.${id}.${kind}`, onEvent);
    }
  }
})();
