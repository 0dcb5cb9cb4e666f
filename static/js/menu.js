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

  // A data table that scrolls inside its box on a narrow screen (portal.css)
  // is reachable by keyboard: focusable while it overflows (issue 23).
  var tablesScrollable = function () {
    document.querySelectorAll("table.data").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) { table.setAttribute("tabindex", "0"); }
      else { table.removeAttribute("tabindex"); }
    });
  };
  window.addEventListener("resize", tablesScrollable);
  tablesScrollable();

  // The global menu collapses behind メニュー when its entries do not fit on
  // one row (issue 23): measured on one row, again whenever the width or the
  // logo changes. Without this script the entries wrap to a second row.
  var header = document.querySelector(".site-header");
  var toggle = header && header.querySelector(".nav-toggle");
  var nav = header && header.querySelector(".global-nav");
  if (!toggle || !nav) { return; }
  var list = nav.querySelector("ul");

  var setOpen = function (open) {
    header.classList.toggle("site-header--nav-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  };

  var layout = function () {
    var wasCollapsed = header.classList.contains("site-header--collapsed");
    var focusInNav = nav.contains(document.activeElement);
    header.classList.remove("site-header--collapsed");
    header.classList.add("site-header--measuring");
    var overflows = list.scrollWidth > nav.clientWidth + 1;
    header.classList.remove("site-header--measuring");
    header.classList.toggle("site-header--collapsed", overflows);
    toggle.hidden = !overflows;
    if (!overflows) { setOpen(false); }
    // Collapsing hides the entries; one holding the keyboard focus would be
    // blurred by the browser and the next Enter would land on <body>. The
    // collapsed menu opens instead, so the focus stays where the person is.
    else if (!wasCollapsed && focusInNav) { setOpen(true); }
  };

  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && header.classList.contains("site-header--nav-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (!header.contains(event.target)) { setOpen(false); }
  });
  var logo = header.querySelector(".site-logo img");
  if (logo && !logo.complete) { logo.addEventListener("load", layout); }
  window.addEventListener("resize", layout);
  // The width can change with no window resize: a scrollbar appearing or
  // going as the page grows. The header's own width is watched too (only its
  // width: collapsing changes its height, which must not lay it out again).
  if (window.ResizeObserver) {
    var width = -1;
    new ResizeObserver(function (entries) {
      var now = entries[entries.length - 1].contentRect.width;
      if (now === width) { return; }
      width = now;
      layout();
    }).observe(header);
  }
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(layout); }
  layout();
})();
