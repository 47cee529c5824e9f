// Report status pages (templates/reports/detail.html, templates/stats/report.html).
// While the report or one of its evidence bundles is pending or being made, ask the
// status JSON now and then (slower and slower) and show the new status; once everything
// is finished, reload the page once so the server shows the download links or the
// reason it failed. The copy button puts the DSA text on the clipboard.
// No inline script (strict CSP); text is set with textContent only.
(function () {
  "use strict";

  var panel = document.getElementById("report-status");
  if (panel && window.fetch) {
    var url = panel.getAttribute("data-status-url");
    var initial = panel.getAttribute("data-report-status");
    var waiting = initial === "pending" || initial === "rendering" || !!panel.getAttribute("data-bundle-unfinished");
    var delay = 1000;
    var tries = 0;

    var unfinished = function (data) {
      return data.unfinished || (data.bundles || []).some(function (bundle) { return bundle.unfinished; });
    };

    var show = function (data) {
      var label = panel.querySelector("[data-status-label]");
      if (label && data.status_label) { label.textContent = data.status_label; }
      var message = panel.querySelector("[data-status-message]");
      var rendering = message && message.getAttribute("data-text-rendering");
      if (data.status === "rendering" && rendering) {
        message.textContent = "";
        var paragraph = document.createElement("p");
        paragraph.className = "mb-0";
        paragraph.textContent = rendering;
        message.appendChild(paragraph);
      }
    };

    var schedule = function () {
      tries += 1;
      delay = Math.min(10000, Math.round(delay * 1.25));
      if (tries < 500) { window.setTimeout(poll, delay); }
    };

    var poll = function () {
      window.fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("status " + response.status); }
          return response.json();
        })
        .then(function (data) {
          show(data);
          if (unfinished(data)) { schedule(); } else { window.location.reload(); }
        })
        .catch(schedule);
    };

    if (waiting) { window.setTimeout(poll, delay); }
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    var done = button.parentNode.querySelector("[data-copy-done]");
    if (!target || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.value).then(function () {
        if (done) { done.hidden = false; }
      }, function () {
        target.focus();
        target.select();
      });
    });
  });
})();
