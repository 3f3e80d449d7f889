// Let readers sort the tables inside <div class="sortable">: each column heading becomes a button;
// aria-sort tells screen readers the order. Without JavaScript the tables keep their published order.
(function () {
  "use strict";

  function cellValue(row, index) {
    var text = row.cells[index] ? row.cells[index].textContent.trim() : "";
    var number = parseFloat(text.replace(/,/g, "").replace(/\u2212/g, "-"));
    return { text: text, number: /^[-+\u2212]?[\d,.]+/.test(text) ? number : NaN };
  }

  function compare(a, b) {
    var aNum = !isNaN(a.number), bNum = !isNaN(b.number);
    if (aNum && bNum) return a.number - b.number;
    if (aNum !== bNum) return aNum ? -1 : 1; // numbers before "n/a"
    return a.text.localeCompare(b.text);
  }

  function sortBy(table, index, button) {
    var header = button.parentElement;
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (x, y) {
      var order = compare(cellValue(x, index), cellValue(y, index));
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    table.querySelectorAll("thead th").forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function enable() {
    document.querySelectorAll("div.sortable table").forEach(function (table) {
      if (table.dataset.sortable === "true" || !table.tHead || !table.tBodies.length) return;
      table.dataset.sortable = "true";
      table.tHead.querySelectorAll("th").forEach(function (th, index) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort-button";
        button.textContent = th.textContent;
        button.setAttribute("aria-label", "Sort by " + th.textContent);
        button.addEventListener("click", function () { sortBy(table, index, button); });
        th.textContent = "";
        th.appendChild(button);
      });
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(enable);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enable);
  } else {
    enable();
  }
})();
