// Material wraps each Markdown table in a box that scrolls sideways when the table is wider than the page. A box
// that scrolls must be reachable by keyboard, or keyboard users cannot see its hidden columns: while it scrolls it
// is focusable and a region named after the section it is in. (The tables of div.data-table scroll in that div,
// which the page makes focusable itself.)
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

  function update() {
    document.querySelectorAll(".md-typeset .md-typeset__scrollwrap").forEach(function (box) {
      if (box.closest(".data-table")) {
        return;
      }
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
})();
