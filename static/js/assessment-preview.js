// Live assessment while a manager fills in the incident form (issue 4).
// Sends the ticked facts to POST /api/v1/assessment/preview/ and shows the level, the
// reasons, the legal references and the actions in the side panel. Text is inserted
// with textContent only. Without JavaScript the form works as before and the
// assessment is computed when it is saved.
(function () {
  "use strict";
  var panel = document.getElementById("assessment-preview");
  var form = document.querySelector("form.incident-form");
  if (!panel || !form || !window.fetch) { return; }
  var url = panel.getAttribute("data-preview-url");
  var features = (panel.getAttribute("data-features") || "").split(",").filter(Boolean);
  var phenomena = (panel.getAttribute("data-phenomena") || "").split(",").filter(Boolean);
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var timer = null;
  var sequence = 0;

  function field(name) { return form.querySelector("[name='" + name + "']"); }

  function labelFor(code) {
    var input = field(code);
    var label = input && form.querySelector("label[for='" + input.id + "']");
    return label ? label.textContent.replace(/\*$/, "").trim() : code;
  }

  // Each filled-in publication row: its platform, reach and time of publication (rules 2026.2
  // count spread, hosting and the 72 hours from these).
  function publications() {
    var rows = [];
    form.querySelectorAll("select[name$='-platform']").forEach(function (select) {
      var prefix = select.name.slice(0, -"platform".length);
      var del = field(prefix + "DELETE");
      var link = field(prefix + "url");
      if (del && del.checked) { return; }
      if (!select.value && !(link && link.value.trim())) { return; }
      var reach = field(prefix + "reach");
      var published = field(prefix + "published_at");
      rows.push({
        platform: select.value || "other",
        reach: reach && reach.value ? reach.value : "",
        published: published && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(published.value) ? published.value : ""
      });
    });
    return rows;
  }

  function facts() {
    var body = {
      features: features.filter(function (code) { var el = field(code); return el && el.checked; }),
      related_phenomena: phenomena.filter(function (code) { var el = field("related_" + code); return el && el.checked; })
    };
    var relation = field("perpetrator_relation");
    if (relation && relation.value) { body.perpetrator_relation = relation.value; }
    var pubs = publications();
    if (pubs.length) {
      body.platforms = pubs.map(function (row) { return row.platform; });
      body.publication_count = pubs.length;
      var reaches = pubs.map(function (row) { return row.reach; }).filter(Boolean);
      if (reaches.length) { body.reaches = reaches; }
      var times = pubs.map(function (row) { return row.published; }).filter(Boolean).sort();
      if (times.length) { body.first_published_at = times[0]; body.last_published_at = times[times.length - 1]; }
    }
    var days = field("absence_days");
    if (days && /^\d+$/.test(days.value)) { body.absence_days = parseInt(days.value, 10); }
    var start = field("absence_start");
    if (start && /^\d{4}-\d{2}-\d{2}$/.test(start.value)) { body.absence_start = start.value; }
    var harm = field("psychological_harm");
    if (harm) { body.psychological_harm = harm.checked; }
    var discovered = field("discovered_at");
    if (discovered && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(discovered.value)) { body.discovered_at = discovered.value; }
    return body;
  }

  function list(target, items, withReason) {
    target.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item.title;
      if (withReason && item.reason) {
        var small = document.createElement("div");
        small.className = "small text-body-secondary";
        small.textContent = item.reason;
        li.appendChild(small);
      }
      target.appendChild(li);
    });
  }

  function show(result) {
    var pill = panel.querySelector("[data-preview='level']");
    pill.textContent = result.severity.label;
    pill.className = "level-pill level-" + result.severity.level;
    panel.querySelector("[data-preview='reasons']").textContent =
      result.severity.reasons.length ? result.severity.reasons.map(labelFor).join("; ") : panel.getAttribute("data-no-reasons");
    list(panel.querySelector("[data-preview='legal']"), result.legal_references, false);
    list(panel.querySelector("[data-preview='actions']"), result.actions, false);
    var scope = panel.querySelector("[data-preview='scope']");
    if (scope) { scope.hidden = result.scope !== "case_complaint"; }
    panel.querySelector("[data-preview='status']").textContent = panel.getAttribute("data-updated");
    panel.setAttribute("data-level", String(result.severity.level));
  }

  function update() {
    var mine = ++sequence;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": csrf ? csrf.value : ""},
      body: JSON.stringify(facts())
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (result) {
      if (result && mine === sequence) { show(result); }
    }).catch(function () { /* the panel keeps its last answer; saving still works */ });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 200);
  }

  form.addEventListener("change", schedule);
  form.addEventListener("input", function (event) {
    if (event.target && event.target.type !== "checkbox") { schedule(); }
  });
  panel.hidden = false;
  update();
})();
