// Every chart is already on the page as an SVG drawn at build time (.chart-static, inside its .chart-view). This
// script adds what only Vega can (tooltips, a map's menu): it loads assets/vendor/vega-bundle.js (served by this
// site, no CDN; about 300 KB gzipped) once, when the reader first points at, touches or focuses a chart, presses a
// key, or when the page is idle after it has loaded; then it draws each chart from the Vega-Lite spec beside it
// and puts the drawn chart in the static one's place, in the same box, so that nothing below it moves.
// Until then it costs nothing: the first paint, the largest paint and the first chart never wait for Vega.
(function () {
  "use strict";

  // Resolved against this script's own address, so that it holds on every page, however deep.
  var BUNDLE = new URL("../vendor/vega-bundle.js", document.currentScript.src).href;
  // The longest the page waits for the browser to be idle after its load; without requestIdleCallback
  // (Safari) it waits this long.
  var IDLE_TIMEOUT_MS = 3000;
  // A reader about to use a chart: pointing at it, touching it, focusing in it.
  var CHART_EVENTS = ["pointerover", "pointerdown", "touchstart", "focusin"];
  var started = false;

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

  // Vega's options for one chart. A chart with menus (a map's "Show") has their box after its view, from the HTML
  // on (the figure macro; site.css reserves its height), so the menu appearing moves nothing: a control inside
  // the view, an image, would be hidden from screen readers.
  function embedOptions(figure) {
    var options = { actions: false, renderer: "svg" };
    var controls = figure.querySelector(".chart-controls");
    if (controls) {
      options.bind = controls;
    }
    return options;
  }

  // The drawn chart takes the static one's place only once it is drawn, in one step: until then it is drawn
  // out of sight in a canvas laid over the view (site.css), which keeps the static chart's height.
  function swap(view, still, canvas) {
    if (still) {
      still.remove();
    }
    view.dataset.drawn = "true";
    view.style.minHeight = "";
  }

  function drawChart(figure) {
    var view = figure.querySelector(".chart-view");
    var source = figure.querySelector("script.chart-spec");
    if (!view || !source || view.dataset.drawn) {
      return;
    }
    var still = view.querySelector(".chart-static");
    view.dataset.drawn = "drawing";
    if (still) {
      view.style.minHeight = still.getBoundingClientRect().height + "px";
    }
    // Vega gives the element it draws in its own role and label (graphics-document, the spec's description),
    // so it draws in a box inside the view: the view keeps role=img and the label that points to the table.
    var canvas = document.createElement("div");
    canvas.className = "chart-canvas";
    view.appendChild(canvas);
    var spec = JSON.parse(source.textContent);
    window
      .vegaEmbed(canvas, spec, embedOptions(figure))
      .then(function (result) {
        swap(view, still, canvas);
        followPick(figure, spec, result.view);
      })
      .catch(function (error) {
        fail(view, canvas);
        console.error("chart " + figure.id + " could not be drawn:", error);
      });
  }

  // A chart that cannot be drawn keeps its static SVG.
  function fail(view, canvas) {
    if (canvas) {
      canvas.remove();
    }
    view.dataset.drawn = "failed";
    view.style.minHeight = "";
  }

  function drawCharts() {
    if (typeof window.vegaEmbed !== "function") {
      document.querySelectorAll("figure.chart .chart-view:not([data-drawn])").forEach(function (view) {
        fail(view, null);
      });
      console.error("charts: " + BUNDLE + " did not define vegaEmbed");
      return;
    }
    document.querySelectorAll("figure.chart").forEach(drawChart);
  }

  function loadVega() {
    var script = document.createElement("script");
    script.src = BUNDLE;
    script.async = true;
    script.onload = drawCharts;
    script.onerror = drawCharts;
    document.head.appendChild(script);
  }

  function start() {
    if (started) {
      return;
    }
    started = true;
    CHART_EVENTS.forEach(function (type) {
      document.removeEventListener(type, onChartEvent, true);
    });
    document.removeEventListener("keydown", start, true);
    loadVega();
  }

  function onChartEvent(event) {
    if (event.target instanceof Element && event.target.closest("figure.chart")) {
      start();
    }
  }

  function whenIdle() {
    if (typeof window.requestIdleCallback === "function") {
      window.requestIdleCallback(start, { timeout: IDLE_TIMEOUT_MS });
    } else {
      window.setTimeout(start, IDLE_TIMEOUT_MS);
    }
  }

  if (!document.querySelector("figure.chart")) {
    return;
  }
  CHART_EVENTS.forEach(function (type) {
    document.addEventListener(type, onChartEvent, { capture: true, passive: true });
  });
  // The static charts hold nothing to focus: a keyboard reader's first key press is their first interaction.
  document.addEventListener("keydown", start, { capture: true, passive: true });
  if (document.readyState === "complete") {
    whenIdle();
  } else {
    window.addEventListener("load", whenIdle, { once: true });
  }
})();
