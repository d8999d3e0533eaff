// forewarn: the document reader. When the address names an event (#ev-<id>), its trigger and
// evidence sentence in the text and its row in the events table are highlighted.
"use strict";
(() => {
  function highlight() {
    for (const el of document.querySelectorAll(".document-text mark.current, tr.current")) {
      el.classList.remove("current");
    }
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id.startsWith("ev-")) return;
    const event = id.slice(3);
    for (const mark of document.querySelectorAll(".document-text mark[data-events]")) {
      if (mark.dataset.events.split(" ").includes(event)) mark.classList.add("current");
    }
    document.getElementById("row-" + event)?.classList.add("current");
  }
  window.addEventListener("hashchange", highlight);
  document.addEventListener("DOMContentLoaded", highlight);
  if (document.readyState !== "loading") highlight();
})();
