// Live updates of a run page: the server's event stream (/runs/:id/events) says when the run
// changed; the live part of the page is fetched again and swapped in by htmx, until the run
// ends (the new part then carries no stream address).
(() => {
  const live = document.getElementById("live");
  if (!live?.dataset.events) return;
  const events = new EventSource(live.dataset.events);
  events.addEventListener("change", () => {
    window.htmx
      .ajax("GET", `${location.pathname}?part=live`, { target: "#live", swap: "outerHTML" })
      .then(() => {
        if (!document.getElementById("live")?.dataset.events) events.close();
      });
  });
})();
