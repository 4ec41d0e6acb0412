/* Draws every [data-diagram-xml] element with bpmn-js (navigated viewer) and marks its
 * elements: tokens now, the path taken, incidents, validation errors, heat.
 * Data comes from json_script blocks named by data- attributes (no inline script). */
(function () {
  "use strict";

  var MARKERS = {
    active: "console-active",
    completed: "console-completed",
    cancelled: "console-cancelled",
    incident: "console-incident",
    error: "console-error",
    flows: "console-taken"
  };

  function readJson(id) {
    var node = id && document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function formatSeconds(seconds) {
    if (seconds === null || seconds === undefined) { return "–"; }
    if (seconds < 1) { return Math.round(seconds * 1000) + " ms"; }
    if (seconds < 120) { return seconds.toFixed(1) + " s"; }
    if (seconds < 7200) { return (seconds / 60).toFixed(1) + " min"; }
    return (seconds / 3600).toFixed(1) + " h";
  }

  function mark(viewer, marks) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    Object.keys(MARKERS).forEach(function (kind) {
      (marks[kind] || []).forEach(function (id) {
        if (!registry.get(id)) { return; }
        canvas.addMarker(id, MARKERS[kind]);
        if (kind === "incident" || kind === "error") {
          overlays.add(id, "console", {
            position: { top: -12, right: 12 },
            html: '<span class="console-badge console-badge-' + kind + '">!</span>'
          });
        }
      });
    });
  }

  function heat(viewer, data) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    var most = 0;
    Object.keys(data).forEach(function (id) { most = Math.max(most, data[id].instances); });
    Object.keys(data).forEach(function (id) {
      if (!registry.get(id)) { return; }
      var share = most ? data[id].instances / most : 0;
      var level = share > 0.66 ? "high" : (share > 0.33 ? "medium" : "low");
      canvas.addMarker(id, "console-heat-" + level);
      var badge = document.createElement("span");
      badge.className = "console-heat-badge";
      badge.setAttribute("data-element", id);
      badge.textContent = data[id].instances + " · " + formatSeconds(data[id].average_seconds);
      overlays.add(id, "console-heat", { position: { bottom: -6, left: 0 }, html: badge });
    });
  }

  function selectOnClick(viewer, selectId) {
    var select = document.getElementById(selectId);
    if (!select) { return; }
    viewer.get("eventBus").on("element.click", function (event) {
      var id = event.element && event.element.id;
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === id) { select.value = id; return; }
      }
    });
  }

  function draw(container) {
    var xml = readJson(container.getAttribute("data-diagram-xml"));
    container.innerHTML = "";
    if (typeof window.BpmnJS !== "function") {
      container.textContent = "The diagram viewer did not load.";
      container.setAttribute("data-diagram-state", "failed");
      return;
    }
    var viewer = new window.BpmnJS({ container: container });
    viewer.importXML(xml).then(function () {
      viewer.get("canvas").zoom("fit-viewport", "auto");
      var marks = readJson(container.getAttribute("data-diagram-marks"));
      if (marks) { mark(viewer, marks); }
      var heatData = readJson(container.getAttribute("data-diagram-heat"));
      if (heatData) { heat(viewer, heatData); }
      selectOnClick(viewer, container.getAttribute("data-diagram-select"));
      container.setAttribute("data-diagram-state", "ready");
    }).catch(function (error) {
      var note = document.createElement("p");
      note.className = "diagram-fallback error";
      note.textContent = "The diagram cannot be drawn: " + error.message;
      container.appendChild(note);
      container.setAttribute("data-diagram-state", "failed");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-diagram-xml]").forEach(draw);
  });
})();
