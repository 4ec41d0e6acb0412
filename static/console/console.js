/* Drag and drop onto the deploy form's file input (the plain input works without it). */
(function () {
  "use strict";

  function listFiles(zone, input) {
    var list = zone.querySelector("[data-dropzone-list]");
    if (!list) { return; }
    var names = [];
    for (var i = 0; i < input.files.length; i++) { names.push(input.files[i].name); }
    list.textContent = names.join(", ");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
      var input = document.getElementById(zone.getAttribute("data-dropzone"));
      if (!input) { return; }
      input.addEventListener("change", function () { listFiles(zone, input); });
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) {
          event.preventDefault();
          zone.classList.add("dragging");
        });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
          listFiles(zone, input);
        }
      });
    });
  });
})();
