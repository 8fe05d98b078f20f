/* Report charts: Chart.js with fill patterns, so a series is told apart without colour.
   Every chart reads its figures from a JSON script element; the same figures are in the
   table printed under it. */
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var COLORS = ["#0b5cad", "#b3261e", "#1e7a3c", "#a35c00", "#5b3f99"];
  var SHAPES = ["diagonal", "dots", "cross", "solid", "vertical"];
  var POINTS = ["circle", "triangle", "rect", "rectRot", "star"];

  function pattern(shape, color) {
    var size = 10, c = document.createElement("canvas");
    c.width = c.height = size;
    var g = c.getContext("2d");
    g.fillStyle = "#ffffff"; g.fillRect(0, 0, size, size);
    g.strokeStyle = color; g.fillStyle = color; g.lineWidth = 2;
    if (shape === "solid") { g.fillRect(0, 0, size, size); }
    else if (shape === "diagonal") { g.beginPath(); g.moveTo(0, size); g.lineTo(size, 0); g.moveTo(-2, 2); g.lineTo(2, -2); g.moveTo(size - 2, size + 2); g.lineTo(size + 2, size - 2); g.stroke(); }
    else if (shape === "dots") { g.beginPath(); g.arc(5, 5, 2.3, 0, 2 * Math.PI); g.fill(); }
    else if (shape === "cross") { g.beginPath(); g.moveTo(0, 5); g.lineTo(size, 5); g.moveTo(5, 0); g.lineTo(5, size); g.stroke(); }
    else { g.beginPath(); g.moveTo(3, 0); g.lineTo(3, size); g.moveTo(8, 0); g.lineTo(8, size); g.stroke(); }
    return g.createPattern(c, "repeat");
  }

  function series(label, values, index, extra) {
    var color = COLORS[index % COLORS.length];
    var set = { label: label, data: values, backgroundColor: pattern(SHAPES[index % SHAPES.length], color),
      borderColor: color, borderWidth: 1.5, pointStyle: POINTS[index % POINTS.length], pointRadius: 4 };
    return Object.assign(set, extra || {});
  }

  function read(id) { return JSON.parse(document.getElementById(id).textContent); }

  // An axis of dossier counts: whole numbers only (no 0,5 dossier).
  var COUNTS = { beginAtZero: true, ticks: { precision: 0 } };

  // The legend's sample of a series, drawn as the chart draws it: a patterned box for bars,
  // a dashed line through its point marker for a line.
  var SWATCH_W = 28, SWATCH_H = 14;
  function swatch(dataset) {
    var ratio = window.devicePixelRatio || 1;
    var c = document.createElement("canvas");
    c.width = SWATCH_W * ratio; c.height = SWATCH_H * ratio;
    var g = c.getContext("2d");
    g.scale(ratio, ratio);
    var color = dataset.borderColor;
    if (dataset.type === "line") {
      g.strokeStyle = color; g.fillStyle = color; g.lineWidth = 2;
      g.setLineDash(dataset.borderDash || []);
      g.beginPath(); g.moveTo(0, SWATCH_H / 2); g.lineTo(SWATCH_W, SWATCH_H / 2); g.stroke();
      g.setLineDash([]);
      window.Chart.helpers.drawPoint(g, { pointStyle: dataset.pointStyle, radius: 4, borderWidth: 1 },
        SWATCH_W / 2, SWATCH_H / 2);
    } else {
      g.fillStyle = dataset.backgroundColor; g.fillRect(1, 1, SWATCH_W - 2, SWATCH_H - 2);
      g.strokeStyle = color; g.lineWidth = 1.5; g.strokeRect(1, 1, SWATCH_W - 2, SWATCH_H - 2);
    }
    // The legend draws an image at its width and height: report the CSS size, so a
    // high-density screen gets the sharper bitmap at the right size.
    Object.defineProperty(c, "width", { value: SWATCH_W });
    Object.defineProperty(c, "height", { value: SWATCH_H });
    return c;
  }

  function legendLabels(chart) {
    var items = window.Chart.defaults.plugins.legend.labels.generateLabels(chart);
    items.forEach(function (item) {
      item.pointStyle = swatch(chart.data.datasets[item.datasetIndex]);
    });
    return items;
  }

  var BUILDERS = {
    trend: function (d, t) {
      return { type: "bar", data: { labels: d.labels, datasets: [
        series(t.online, d.online, 0, { stack: "in" }), series(t.direct, d.direct, 1, { stack: "in" }),
        series(t.post, d.post, 2, { stack: "in" }),
        series(t.done, d.done, 3, { type: "line", borderDash: [6, 3], backgroundColor: COLORS[3], fill: false })
      ] }, options: { scales: { x: { stacked: true }, y: Object.assign({ stacked: true }, COUNTS) } } };
    },
    top: function (d, t) {
      return { type: "bar", data: { labels: d.top_labels, datasets: [series(t.received, d.top, 0)] },
        options: { indexAxis: "y", scales: { x: COUNTS }, plugins: { legend: { display: false } } } };
    },
    channels: function (d, t) {
      return { type: "bar", data: { labels: d.labels, datasets: [
        series(t.online, d.online, 0), series(t.direct, d.direct, 1), series(t.post, d.post, 2)
      ] }, options: { indexAxis: "y", scales: { x: Object.assign({ stacked: true }, COUNTS), y: { stacked: true } } } };
    },
    rates: function (d, t) {
      return { type: "bar", data: { labels: d.labels, datasets: [
        series(t.on_time, d.on_time, 2), series(t.online_share, d.online_share, 0)
      ] }, options: { indexAxis: "y", scales: { x: { min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } } } } };
    }
  };

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var config = BUILDERS[canvas.dataset.chart](read(canvas.dataset.source), read(canvas.dataset.labels));
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false,
      plugins: {} }, config.options);
    config.options.plugins.legend = Object.assign({ position: "bottom", labels: {
      usePointStyle: true, pointStyleWidth: SWATCH_W, boxHeight: SWATCH_H, generateLabels: legendLabels
    } }, config.options.plugins.legend || {});
    new window.Chart(canvas, config);
  });
})();
