// The admin's autocomplete fields (select2) name their combobox after the field's label, even when nothing is chosen
// yet (select2 names it after the chosen item only). A file, not an inline script, for the CSP.
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
  window.addEventListener("load", nameComboboxes);
  document.addEventListener("formset:added", function () { window.setTimeout(nameComboboxes, 0); });
})();
