// The nav's count of feed items new to the user (the pages work without it). Loaded on every page by
// base.html: asks /api/v1/feed/new once, then every minute while the page is visible.
(function () {
  "use strict";
  var badge = document.getElementById("feed-new");
  if (!badge) { return; }
  function show(data) {
    if (data && data.new > 0) {
      badge.textContent = data.shown;
      badge.title = data.shown + " new in the feed";
      badge.hidden = false;
    } else {
      badge.hidden = true;
    }
  }
  function poll() {
    if (document.visibilityState === "hidden") { return; }
    fetch("/api/v1/feed/new", {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(show)
      .catch(function () { /* offline or logged out: leave the nav as it is */ });
  }
  poll();
  window.setInterval(poll, 60000);
}());
