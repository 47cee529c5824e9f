// Live suggestion while a caseworker registers a request to record (issue 8).
// Sends the ticked reasons and the media to POST /optagelser/forslag/ and shows the
// suggested decision, why, and the guideline's passages in the side panel. Every text is
// inserted with textContent; the passages arrive as plain data (recordings.markup.to_data).
// Without JavaScript the «Vis forslag» button asks the server instead.
(function () {
  "use strict";
  var panel = document.getElementById("recording-suggestion");
  var form = document.querySelector("form.recording-form");
  if (!panel || !form || !window.fetch) { return; }
  var url = panel.getAttribute("data-suggest-url");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var part = function (name) { return panel.querySelector("[data-suggest='" + name + "']"); };
  var timer = null;
  var sequence = 0;

  function body() {
    var reasons = [];
    form.querySelectorAll("input[name='reasons']:checked").forEach(function (box) { reasons.push(box.value); });
    var media = form.querySelector("input[name='media']:checked");
    var unit = form.querySelector("[name='unit']");
    var data = {reasons: reasons, media: media ? media.value : "audio"};
    if (unit && unit.value) { data.unit = unit.value; }
    return data;
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  function fillLine(target, pieces) {
    pieces.forEach(function (piece) {
      if (piece[0]) { target.appendChild(element("strong", "", piece[1])); }
      else { target.appendChild(document.createTextNode(piece[1])); }
    });
  }

  function blocks(target, list) {
    list.forEach(function (block) {
      if (block.kind === "heading") {
        var h = element("p", "fw-semibold mb-1");
        fillLine(h, block.lines[0]);
        target.appendChild(h);
      } else if (block.kind === "list") {
        var ul = element("ul");
        block.lines.forEach(function (line) { var li = element("li"); fillLine(li, line); ul.appendChild(li); });
        target.appendChild(ul);
      } else {
        var p = element("p");
        block.lines.forEach(function (line, index) {
          if (index) { p.appendChild(document.createElement("br")); }
          fillLine(p, line);
        });
        target.appendChild(p);
      }
    });
  }

  function show(result) {
    var reasonsGiven = body().reasons.length > 0;
    part("status").textContent = reasonsGiven ? "" : panel.getAttribute("data-empty");
    part("decision").hidden = false;
    var label = part("label");
    label.textContent = result.label;
    label.className = "badge decision-badge decision-" + result.decision;
    part("explanation").textContent = result.explanation;
    var advice = part("advice");
    advice.textContent = "";
    result.advice.forEach(function (item) { advice.appendChild(element("li", "", item)); });
    var passages = part("passages");
    passages.textContent = "";
    if (result.passages.length) {
      passages.appendChild(element("h3", "h6", panel.getAttribute("data-passages-heading")));
      result.passages.forEach(function (passage) {
        var box = element("div", "guideline-passage");
        box.appendChild(element("p", "passage-title", passage.title));
        blocks(box, passage.blocks);
        passages.appendChild(box);
      });
    }
    panel.setAttribute("data-decision", result.decision);
  }

  function update() {
    var mine = ++sequence;
    part("status").textContent = panel.getAttribute("data-waiting");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": csrf ? csrf.value : ""},
      body: JSON.stringify(body())
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (result) {
      if (mine !== sequence) { return; }
      if (result) { show(result); } else { part("status").textContent = panel.getAttribute("data-failed"); }
    }).catch(function () {
      if (mine === sequence) { part("status").textContent = panel.getAttribute("data-failed"); }
    });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 150);
  }

  form.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name === "reasons" || name === "media" || name === "unit") { schedule(); }
  });
  var button = form.querySelector("[data-suggest='button']");
  if (button) { button.hidden = true; }
  if (body().reasons.length) { update(); }
})();
