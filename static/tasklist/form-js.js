/* Renders every [data-form-js] container of templates/tasklist/_form.html with the
 * form-js viewer. Schema and data come from json_script blocks named by data- attributes
 * (no inline script, strict CSP). On submit the viewer validates in the browser, its data
 * goes to the hidden form_js_values field as JSON and the page's own form is posted: the
 * server validates again. Without JavaScript (or if the viewer fails) the Django fields
 * built from the same schema stay in place. */
(function () {
  "use strict";

  function readJson(id) {
    var node = id && document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function hasErrors(result) {
    return !result || Object.keys(result.errors || {}).length > 0;
  }

  function mount(container) {
    var form = container.closest("form");
    var target = form && form.querySelector('input[name="form_js_values"]');
    if (!form || !target || !window.FormViewer) { return; }
    var fallback = form.querySelector("[data-form-fallback]");
    var schema = readJson(container.getAttribute("data-schema-id"));
    var data = readJson(container.getAttribute("data-data-id")) || {};
    // debounce off: every keystroke reaches the form's state before a submit reads it
    window.FormViewer.createForm({
      container: container, schema: schema, data: data, debounce: false
    })
      .then(function (viewer) {
        var ownSubmit = false;
        var sending = false;
        container.hidden = false;
        if (fallback) {
          fallback.hidden = true;
          fallback.querySelectorAll("input, select, textarea").forEach(function (el) {
            el.disabled = true;
          });
        }
        function send(result) {
          if (hasErrors(result)) { return; }
          target.value = JSON.stringify(result.data);
          sending = true;
          form.submit();
        }
        viewer.on("submit", function (event) {
          if (!ownSubmit) { send(event); }  // the schema's own submit button
        });
        form.addEventListener("submit", function (event) {
          if (sending) { return; }
          event.preventDefault();
          ownSubmit = true;
          var result = viewer.submit();
          ownSubmit = false;
          send(result);
        });
      })
      .catch(function (error) {
        container.hidden = true;
        if (window.console) { window.console.error("form-js viewer failed", error); }
      });
  }

  document.querySelectorAll("[data-form-js]").forEach(mount);
})();
