// The admin's autocomplete fields (select2) name their combobox after the field's label, even when nothing is chosen
// yet (select2 names it after the chosen item only). A file, not an inline script, for the CSP.
//
// select2 builds its widgets from jQuery's ready handlers, which may run before or after this file's "load" handler
// (jQuery queues them), and again for every inline row added: so the widgets are named whenever one appears (a
// MutationObserver, whose callback runs right after the change, before anyone can read the page in between).
(function () {
  "use strict";
  function nameComboboxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      var combobox = container && container.querySelector("[role=combobox]");
      if (!combobox || combobox.getAttribute("aria-label")) return;
      var label = select.id && document.querySelector("label[for='" + select.id + "']");
      var name = (label && label.textContent.replace(/:\s*$/, "").trim()) || select.getAttribute("aria-label");
      if (!name) return;
      combobox.setAttribute("aria-label", name);
      var shown = container.querySelector(".select2-selection__rendered[role]");
      if (shown && !shown.textContent.trim()) shown.setAttribute("aria-label", name);
    });
  }
  function addsWidget(records) {
    return records.some(function (record) {
      return Array.prototype.some.call(record.addedNodes, function (node) {
        return node.nodeType === 1 && (node.matches(".select2-container") || node.querySelector(".select2-container"));
      });
    });
  }
  new MutationObserver(function (records) {
    if (addsWidget(records)) nameComboboxes();
  }).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("load", nameComboboxes);
})();
