// A form shown again with errors: bring its error summary into view and move the focus to it,
// so a screen reader reads it out and nobody has to scroll to find what went wrong (issue 17).
// The summaries are role="alert" with tabindex="-1"; without script the form's action anchor
// (#...) still scrolls the page to the form.
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.querySelector("[data-error-summary], .error-summary");
    if (!summary) {
      return;
    }
    for (var node = summary.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") {
        node.open = true;
      }
    }
    if (!summary.hasAttribute("tabindex")) {
      summary.setAttribute("tabindex", "-1");
    }
    summary.scrollIntoView({ block: "center" });
    summary.focus({ preventScroll: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
  // The browser scrolls to the form's #anchor (and may move the focus there) once the page has
  // loaded: focus the summary again after that.
  window.addEventListener("load", function () {
    window.setTimeout(focusSummary, 0);
  });
})();
