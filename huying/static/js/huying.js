// Huying 呼应 — shell behaviour. Loaded from a static file (the content security policy
// forbids inline scripts). Loaded without `defer` so that <html> is marked as scripted
// before the first paint; everything else waits for the document.
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  // Phone menu: the button toggles the sheet under the header; Escape or a tap outside
  // closes it; growing to the desktop layout resets it.
  function setUpMenu() {
    var toggle = document.querySelector("[data-menu-toggle]");
    if (!toggle) return;
    var menu = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) return;

    function isOpen() {
      return toggle.getAttribute("aria-expanded") === "true";
    }
    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
      document.body.classList.toggle("menu-open", open);
    }

    toggle.addEventListener("click", function () {
      setOpen(!isOpen());
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen()) {
        setOpen(false);
        toggle.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (isOpen() && !menu.contains(event.target) && !toggle.contains(event.target)) {
        setOpen(false);
      }
    });
    if (window.matchMedia) {
      var desktop = window.matchMedia("(min-width: 768px)");
      var reset = function (event) {
        if (event.matches) setOpen(false);
      };
      if (desktop.addEventListener) desktop.addEventListener("change", reset);
    }
  }

  onReady(setUpMenu);
})();
