// Material wraps each Markdown table in a box that scrolls sideways when the table is wider than the page. A box
// that scrolls must be reachable by keyboard, or keyboard users cannot see its hidden columns: while it scrolls it
// is focusable and a region named after the section it is in. (The tables of div.data-table scroll in that div,
// which the page makes focusable itself.) A box that scrolls says so (the class "scrolls", see markScrolling).
(function () {
  "use strict";

  function headingText(heading) {
    var copy = heading.cloneNode(true);
    copy.querySelectorAll(".headerlink").forEach(function (link) { link.remove(); });
    return copy.textContent.trim();
  }

  // The text of the nearest heading before `element`, looking at earlier siblings, then at its parents' ones.
  function sectionName(element) {
    for (var node = element; node && !node.classList.contains("md-content__inner"); node = node.parentElement) {
      for (var before = node.previousElementSibling; before; before = before.previousElementSibling) {
        if (/^H[1-6]$/.test(before.tagName)) {
          return headingText(before);
        }
      }
    }
    return "";
  }

  // A box whose table is wider than it gets the class "scrolls": site.css then shows a line above the table,
  // "Scroll sideways for more columns", that stays in view as the box scrolls.
  function markScrolling(box) {
    box.classList.toggle("scrolls", box.scrollWidth > box.clientWidth + 1);
  }

  function update() {
    document.querySelectorAll(".md-typeset .data-table").forEach(markScrolling);
    document.querySelectorAll(".md-typeset .md-typeset__scrollwrap").forEach(function (box) {
      if (box.closest(".data-table")) {
        return;
      }
      markScrolling(box);
      if (box.scrollWidth > box.clientWidth) {
        var name = sectionName(box);
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", name ? "Table: " + name : "Table");
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(update);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  window.addEventListener("resize", update);
  // A folded table has no width until its details element is opened.
  document.addEventListener("toggle", update, true);
})();
