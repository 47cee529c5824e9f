// Back, then save again (issue 17): pages are never cached (Cache-Control: no-store), so going
// back fetches the form again with a fresh one-time token ({% form_token %}), and a second
// "Gem" would save a second copy. This script remembers, per page and form, the token each
// form was sent with (sessionStorage, this tab only) and puts it back when the page is reached
// through the back or forward button. The server (idempotency.views.idempotent_form) then
// recognises the token and shows what was saved the first time, with a message; nothing is
// saved twice. Without script the form works as before.
(function () {
  "use strict";
  var STORE = "udh-form-tokens";
  var FIELD = "form_token";

  function load() {
    try {
      return JSON.parse(window.sessionStorage.getItem(STORE) || "{}");
    } catch (error) {
      return {};
    }
  }

  function save(tokens) {
    try {
      window.sessionStorage.setItem(STORE, JSON.stringify(tokens));
    } catch (error) {
      // Private mode or storage full: the form still works, only the back-button guard is off.
    }
  }

  function keyOf(form) {
    var action = form.getAttribute("action") || window.location.pathname;
    var same = Array.prototype.filter.call(document.forms, function (other) {
      return (other.getAttribute("action") || window.location.pathname) === action;
    });
    return window.location.pathname + "|" + action + "|" + same.indexOf(form);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var input = form && form.querySelector && form.querySelector("input[name='" + FIELD + "']");
    if (!input) {
      return;
    }
    var tokens = load();
    tokens[keyOf(form)] = input.value;
    save(tokens);
  }, true);

  function restore() {
    var navigation = window.performance && window.performance.getEntriesByType
      ? window.performance.getEntriesByType("navigation")[0] : null;
    if (!navigation || navigation.type !== "back_forward") {
      return;
    }
    var tokens = load();
    Array.prototype.forEach.call(document.forms, function (form) {
      var input = form.querySelector("input[name='" + FIELD + "']");
      var previous = tokens[keyOf(form)];
      if (input && previous) {
        input.value = previous;
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();
