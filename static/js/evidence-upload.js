/* Evidence upload: drag and drop onto the file field's zone, a list of the chosen files, and a
 * size check before anything is sent (the server checks again, from the content).
 *
 * Without JavaScript the form is a normal multiple file input. Loaded as an external file: the
 * Content-Security-Policy allows no inline script. Danish texts come from data-msg-* attributes
 * on the form (translated by the template).
 */
(function () {
  "use strict";

  function formatSize(bytes) {
    var units = ["byte", "KB", "MB", "GB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value = value / 1024;
      unit += 1;
    }
    var digits = unit === 0 ? 0 : 1;
    return value.toLocaleString("da-DK", {minimumFractionDigits: digits, maximumFractionDigits: digits}) +
      " " + units[unit];
  }

  function sameFile(a, b) {
    return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
  }

  function setUp(form) {
    var input = form.querySelector("input[type='file']");
    var zone = form.querySelector("[data-evidence-dropzone]");
    var list = form.querySelector("[data-evidence-filelist]");
    var status = form.querySelector("[data-evidence-status]");
    if (!input || !zone || !list || typeof DataTransfer === "undefined") {
      return;
    }
    var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10) || 0;
    var refused = [];

    function render() {
      list.textContent = "";
      refused.forEach(function (name) {
        var item = document.createElement("li");
        item.className = "evidence-chosen-refused";
        item.textContent = (form.getAttribute("data-msg-too-large") || "").replace("{name}", name);
        list.appendChild(item);
      });
      if (input.files.length) {
        var heading = document.createElement("li");
        heading.className = "fw-semibold";
        heading.textContent = form.getAttribute("data-msg-chosen") || "";
        list.appendChild(heading);
      }
      Array.prototype.forEach.call(input.files, function (file) {
        var item = document.createElement("li");
        item.textContent = file.name + " (" + formatSize(file.size) + ")";
        list.appendChild(item);
      });
    }

    // Keep the files the user chose plus the new ones, leaving out any above the limit.
    function choose(files, keepExisting) {
      var transfer = new DataTransfer();
      var kept = keepExisting ? Array.prototype.slice.call(input.files) : [];
      refused = [];
      kept.concat(Array.prototype.slice.call(files)).forEach(function (file) {
        if (maxBytes && file.size > maxBytes) {
          refused.push(file.name);
          return;
        }
        for (var i = 0; i < transfer.files.length; i += 1) {
          if (sameFile(transfer.files[i], file)) {
            return;
          }
        }
        transfer.items.add(file);
      });
      input.files = transfer.files;
      render();
    }

    input.addEventListener("change", function () {
      choose(input.files, false);
    });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("is-dragover");
      });
    });
    ["dragleave", "dragend"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        if (!zone.contains(event.relatedTarget)) {
          zone.classList.remove("is-dragover");
        }
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-dragover");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        choose(event.dataTransfer.files, true);
        input.focus();
      }
    });
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type='submit']");
      if (button) {
        button.disabled = true;
      }
      if (status) {
        status.textContent = form.getAttribute("data-msg-sending") || "";
      }
    });
  }

  document.querySelectorAll("form[data-evidence-upload]").forEach(setUp);
  // Coming back with the browser's back button: the form must be usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-evidence-upload] button[type='submit']").forEach(function (button) {
      button.disabled = false;
    });
  });
})();
