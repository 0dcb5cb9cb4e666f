// Global and user menus are <details> elements, which already open with
// Enter/Space.  This adds what a person expects of a drop-down menu:
// Escape closes it and returns focus to its summary, a click elsewhere
// closes it, and opening one menu closes the other.
(function () {
  "use strict";
  var menus = function () { return document.querySelectorAll("details.menu[open]"); };

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var menu = document.activeElement && document.activeElement.closest("details.menu[open]");
    if (!menu) { return; }
    menu.open = false;
    menu.querySelector("summary").focus();
  });

  document.addEventListener("click", function (event) {
    menus().forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.open = false; }
    });
  });

  document.querySelectorAll("details.menu").forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (!menu.open) { return; }
      menus().forEach(function (other) { if (other !== menu) { other.open = false; } });
    });
  });
})();
