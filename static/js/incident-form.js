/* Publication rows on the incident form.
 *
 * The server renders a few blank rows so the form works without JavaScript. With it, the
 * trailing blank rows collapse to one, and "Tilføj endnu en offentliggørelse" clones the
 * formset's empty form (a <template>), replacing __prefix__ and bumping TOTAL_FORMS.
 * Loaded as an external file: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  function renumber(rows) {
    rows.querySelectorAll("[data-formset-row]").forEach(function (row, index) {
      var number = row.querySelector("[data-row-number]");
      if (number) {
        number.textContent = String(index + 1);
      }
    });
  }

  function setUp(container) {
    var prefix = container.getAttribute("data-formset");
    var total = container.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var initial = container.querySelector("input[name='" + prefix + "-INITIAL_FORMS']");
    var max = container.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = container.querySelector("template[data-empty-form]");
    var rows = container.querySelector("[data-formset-rows]");
    var button = container.querySelector("[data-formset-add]");
    if (!total || !template || !rows || !button) {
      return;
    }

    // Keep one blank row at the end; drop the other untouched extra rows.
    var initialCount = initial ? parseInt(initial.value, 10) : 0;
    var all = rows.querySelectorAll("[data-formset-row]");
    for (var i = all.length - 1; i > initialCount; i -= 1) {
      if (all[i].hasAttribute("data-blank") && all[i - 1].hasAttribute("data-blank")) {
        all[i].remove();
        total.value = String(parseInt(total.value, 10) - 1);
      } else {
        break;
      }
    }

    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        button.disabled = true;
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      renumber(rows);
      var added = rows.lastElementChild;
      var first = added && added.querySelector("select, input:not([type=hidden]), textarea");
      if (first) {
        first.focus();
      }
    });
  }

  function init() {
    document.querySelectorAll("[data-formset]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
