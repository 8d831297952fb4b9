/**
 * The page script: reads the embedded chart configurations and draws them with the inlined
 * Chart.js. Written as plain ES5-style JavaScript text because it runs in the browser as is.
 * It marks `<html data-charts="ready|failed">` when done so tests and people can tell a chart
 * that failed from one still drawing, and shows the error where the chart would be.
 */
export const BOOTSTRAP_JS = `(function () {
  'use strict';
  var root = document.documentElement;
  var data = JSON.parse(document.getElementById('report-data').textContent);
  function fail(canvas, message) {
    var p = document.createElement('p');
    p.className = 'chart-error';
    p.textContent = 'This chart could not be drawn: ' + message;
    canvas.parentNode.insertBefore(p, canvas);
  }
  if (typeof Chart === 'undefined') {
    root.setAttribute('data-charts', 'failed');
    data.charts.forEach(function (spec) {
      var canvas = document.getElementById(spec.id);
      if (canvas) fail(canvas, 'Chart.js did not load');
    });
    return;
  }
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  var drawn = 0;
  data.charts.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    try {
      new Chart(canvas, spec.config);
      drawn++;
    } catch (err) {
      fail(canvas, err && err.message ? err.message : String(err));
    }
  });
  root.setAttribute('data-charts', drawn === data.charts.length ? 'ready' : 'failed');
  function resizeAll() {
    Object.keys(Chart.instances).forEach(function (k) { Chart.instances[k].resize(); });
  }
  window.addEventListener('beforeprint', resizeAll);
  window.addEventListener('afterprint', resizeAll);
})();
`;
