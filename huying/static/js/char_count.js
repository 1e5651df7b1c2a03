// Live character counters for limited text fields (textarea[data-maxlength]): how many
// characters are used, and a warning once the text is over the limit (the server refuses
// it then, with the same limit). Static file: the content security policy forbids inline
// scripts. The texts come from the field's data-count-text / data-over-text attributes.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, key) {
      return String(values[key]);
    });
  }

  function setUp(field) {
    var max = parseInt(field.getAttribute("data-maxlength"), 10);
    if (!max) return;
    var counter = document.createElement("p");
    counter.className = "char-count";
    counter.id = field.id + "_count";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);

    function update() {
      // Count characters as the server does (code points, not UTF-16 units).
      var count = Array.from(field.value).length;
      var over = count - max;
      counter.textContent =
        over > 0
          ? fill(field.getAttribute("data-over-text") || "", { over: over, max: max, count: count })
          : fill(field.getAttribute("data-count-text") || "", { count: count, max: max });
      counter.classList.toggle("is-over", over > 0);
      if (over > 0) {
        field.setAttribute("aria-invalid", "true");
        field.setAttribute("data-count-invalid", "");
      } else if (field.hasAttribute("data-count-invalid")) {
        field.removeAttribute("aria-invalid");
        field.removeAttribute("data-count-invalid");
      }
    }

    field.addEventListener("input", update);
    update();
  }

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  onReady(function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-maxlength]"), setUp);
  });
})();
