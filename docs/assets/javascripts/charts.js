// Draw every chart on the page from the Vega-Lite spec embedded beside it.
// vegaEmbed comes from assets/vendor/vega-bundle.js, served by this site (no CDN).
(function () {
  "use strict";

  function drawCharts() {
    if (typeof window.vegaEmbed !== "function") {
      return;
    }
    document.querySelectorAll("figure.chart").forEach(function (figure) {
      var view = figure.querySelector(".chart-view");
      var source = figure.querySelector("script.chart-spec");
      if (!view || !source || view.dataset.drawn === "true") {
        return;
      }
      view.dataset.drawn = "true";
      // Vega gives the element it draws in its own role and label (graphics-document, the spec's description),
      // so it draws in a box inside the view: the view keeps role=img and the label that points to the table.
      // Its menus (a map's "Show") go after the view, as a control inside an image would be hidden from
      // screen readers.
      var canvas = document.createElement("div");
      canvas.className = "chart-canvas";
      view.appendChild(canvas);
      var controls = document.createElement("div");
      controls.className = "chart-controls";
      view.insertAdjacentElement("afterend", controls);
      window
        .vegaEmbed(canvas, JSON.parse(source.textContent), { actions: false, renderer: "svg", bind: controls })
        .catch(function (error) {
          view.dataset.drawn = "failed";
          console.error("chart " + figure.id + " could not be drawn:", error);
        });
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(drawCharts);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawCharts);
  } else {
    drawCharts();
  }
})();
