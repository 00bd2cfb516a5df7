// Small progressive enhancements of the pages; every page works without them. A file, not inline, for the CSP.
//  - Dropdown menus (<details class="dropdown">) close on Esc (focus back on their button) and on a click or focus
//    outside them; opening one closes the others.
//  - The list's filter panel (<details data-wide-open>) is open on wide screens, folded behind its button on narrow ones.
// (The report's Print button, hidden without JavaScript, is revealed by print.js, loaded on that page.)
(function () {
  "use strict";

  function dropdowns() { return document.querySelectorAll("details.dropdown[open]"); }

  function closeAll(except) {
    dropdowns().forEach(function (menu) { if (menu !== except) menu.open = false; });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    dropdowns().forEach(function (menu) {
      var hadFocus = menu.contains(document.activeElement);
      menu.open = false;
      if (hadFocus) menu.querySelector("summary").focus();
    });
  });

  document.addEventListener("click", function (event) {
    var inside = event.target.closest && event.target.closest("details.dropdown");
    closeAll(inside);
  });

  document.addEventListener("focusin", function (event) {
    closeAll(event.target.closest && event.target.closest("details.dropdown"));
  });

  function wideOpen() {
    var wide = window.matchMedia("(min-width: 1101px)");
    document.querySelectorAll("details[data-wide-open]").forEach(function (panel) {
      var sync = function () { panel.open = wide.matches; };
      sync();
      wide.addEventListener("change", sync);
    });
  }

  document.addEventListener("DOMContentLoaded", wideOpen);
})();
