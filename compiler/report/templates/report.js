// Filtering the service tables of a large estate; the page works without it.
(function () {
  "use strict";
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var scope = document.getElementById(input.getAttribute("data-filter"));
    if (!scope) { return; }
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      scope.querySelectorAll("[data-text]").forEach(function (item) {
        var hit = !needle || item.getAttribute("data-text").indexOf(needle) !== -1;
        item.classList.toggle("hidden", !hit);
      });
      scope.querySelectorAll("details.team").forEach(function (group) {
        if (needle) { group.open = true; }
      });
    });
  });
})();
