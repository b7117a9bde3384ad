// ECharts for the standard-hall pages. Data comes from json_script tags (the CSP forbids inline scripts).
(function () {
  "use strict";

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(elementId, option) {
    var element = document.getElementById(elementId);
    if (!element || typeof echarts === "undefined") {
      return;
    }
    var chart = echarts.init(element);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    element.dataset.rendered = "true";
  }

  function start() {
    var towns = data("town-scores-data");
    if (towns) {
      draw("town-chart", {
        tooltip: { trigger: "axis" },
        grid: { left: 40, right: 16, top: 24, bottom: 60 },
        xAxis: { type: "category", data: towns.towns, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value", min: 0, max: 100, name: "得分" },
        series: [{
          type: "bar", data: towns.scores, label: { show: true, position: "top" },
          itemStyle: { color: function (p) { return p.value >= 90 ? "#1b7f3b" : (p.value >= 60 ? "#b26a00" : "#c62828"); } }
        }]
      });
    }
    var trend = data("trend-data");
    if (trend) {
      draw("trend-chart", {
        tooltip: { trigger: "axis" },
        grid: { left: 40, right: 16, top: 24, bottom: 40 },
        xAxis: { type: "category", data: trend.labels },
        yAxis: { type: "value", min: 0, max: 100, name: "得分" },
        series: [{ type: "line", name: trend.name, data: trend.scores, label: { show: true } }]
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
