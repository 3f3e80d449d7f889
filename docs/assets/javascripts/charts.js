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
      window
        .vegaEmbed(view, JSON.parse(source.textContent), { actions: false, renderer: "svg" })
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
