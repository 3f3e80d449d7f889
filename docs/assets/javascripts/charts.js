// Draw every chart on the page from the Vega-Lite spec embedded beside it.
// vegaEmbed comes from assets/vendor/vega-bundle.js, served by this site (no CDN).
(function () {
  "use strict";

  // A map with a menu ("pick") has a summary per option in its spec's usermeta: the caption says what the map
  // shows for the option picked, not the first option's figures. The caption is announced when it changes.
  function followPick(figure, spec, view) {
    var summaries = spec.usermeta && spec.usermeta.summaries;
    var caption = figure.querySelector("figcaption");
    if (!summaries || !caption) {
      return;
    }
    caption.setAttribute("aria-live", "polite");
    view.addSignalListener("pick", function (name, value) {
      if (Object.prototype.hasOwnProperty.call(summaries, value)) {
        caption.textContent = summaries[value];
      }
    });
  }

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
      var spec = JSON.parse(source.textContent);
      window
        .vegaEmbed(canvas, spec, { actions: false, renderer: "svg", bind: controls })
        .then(function (result) {
          followPick(figure, spec, result.view);
        })
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
