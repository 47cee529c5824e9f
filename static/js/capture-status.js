// Capture status page (templates/capture/detail.html). While the capture is pending or
// running, ask the status JSON now and then (slower and slower) and show the new status;
// once it is finished, reload the page once so the server shows the files and hashes or
// the reason it failed. No inline script (strict CSP); text is set with textContent only.
(function () {
  "use strict";

  var panel = document.getElementById("capture-status");
  if (!panel || !window.fetch) { return; }
  var url = panel.getAttribute("data-status-url");
  var initial = panel.getAttribute("data-capture-status");
  if (initial !== "pending" && initial !== "running") { return; }
  var delay = 1000;
  var tries = 0;

  var schedule = function () {
    tries += 1;
    delay = Math.min(10000, Math.round(delay * 1.25));
    if (tries < 300) { window.setTimeout(poll, delay); }
  };

  var poll = function () {
    window.fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var label = panel.querySelector("[data-status-label]");
        if (label && data.status_label) { label.textContent = data.status_label; }
        if (data.unfinished) { schedule(); } else { window.location.reload(); }
      })
      .catch(schedule);
  };

  window.setTimeout(poll, delay);
})();
