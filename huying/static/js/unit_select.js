// Work-order console: unit drop-downs and the dispatch form. Static file (the content
// security policy forbids inline scripts); the page works without it.
//
// - A search box above each grouped unit list ([data-unit-filter]) hides the units whose
//   name does not contain what was typed (the chosen unit always stays).
// - In the dispatch form, changing the category sets the lead unit to the one that
//   category's routing rule names for this order's place (or none), so the form never
//   pre-selects a unit that disagrees with the chosen category.
(function () {
  "use strict";

  function filterUnits(input) {
    var select = document.getElementById(input.getAttribute("data-unit-filter"));
    if (!select) return;
    var needle = input.value.trim().toLowerCase();
    var groups = select.querySelectorAll("optgroup");
    Array.prototype.forEach.call(groups, function (group) {
      var shown = 0;
      Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
        var match = !needle || option.textContent.toLowerCase().indexOf(needle) !== -1 || option.selected;
        option.hidden = !match;
        option.disabled = !match && !option.selected;
        if (match) shown += 1;
      });
      group.hidden = shown === 0;
    });
  }

  function setUpFilters() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-unit-filter]"), function (input) {
      input.addEventListener("input", function () {
        filterUnits(input);
      });
    });
  }

  function setUpRouting() {
    var category = document.querySelector("[data-routes-from]");
    var unit = document.getElementById("id_unit");
    var reason = document.querySelector("[data-route-reason]");
    var source = category && document.getElementById(category.getAttribute("data-routes-from"));
    if (!category || !unit || !source) return;
    var routes = JSON.parse(source.textContent || "{}");
    category.addEventListener("change", function () {
      var route = routes[category.value];
      var filter = document.querySelector('[data-unit-filter="id_unit"]');
      if (filter && filter.value) {
        filter.value = "";
        filterUnits(filter);
      }
      unit.value = route ? String(route.unit) : "";
      if (route && unit.value !== String(route.unit)) unit.value = "";
      if (reason) {
        reason.textContent = route
          ? reason.getAttribute("data-rule") + " " + route.name
          : category.value
            ? reason.getAttribute("data-no-rule")
            : "";
      }
    });
  }

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  onReady(function () {
    setUpFilters();
    setUpRouting();
  });
})();
