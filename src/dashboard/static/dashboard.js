// Live updates of a run page: the server's event stream (/runs/:id/events) says when the run
// changed; the live part of the page is fetched again and swapped in, until the run ends (the
// new part then carries no stream address). Refreshes never overlap and none is dropped: a
// change that arrives during one runs another right after it. Without a stream, it polls.
(() => {
  const live = document.getElementById("live");
  if (!live?.dataset.events) return;
  const events = new EventSource(live.dataset.events);
  let busy = false;
  let again = false;
  const ended = () => !document.getElementById("live")?.dataset.events;
  const refresh = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        const res = await fetch(`${location.pathname}?part=live`, { credentials: "same-origin" });
        if (!res.ok) break;
        const text = await res.text();
        const cur = document.getElementById("live");
        if (cur) cur.outerHTML = text;
      } while (again);
    } finally {
      busy = false;
    }
    if (ended()) events.close();
  };
  events.addEventListener("change", () => void refresh());
  // A stream the browser gave up on (a proxy that buffers it, a server restart): fetch the live
  // part every 2 s instead, until the run ends.
  events.addEventListener("error", () => {
    if (events.readyState !== EventSource.CLOSED) return;
    const timer = setInterval(() => {
      if (ended()) clearInterval(timer);
      else void refresh();
    }, 2000);
  });
})();
