// Figures page: tickets issued and average waiting / service minutes per hour of the day (ECharts).
(function () {
  "use strict";
  var el = document.getElementById("hour-chart");
  var data = document.getElementById("hour-data");
  if (!el || !data || !window.echarts) { return; }
  var d = JSON.parse(data.textContent);
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["取号数", "平均等候（分钟）", "平均办理（分钟）"] },
    xAxis: { type: "category", data: d.hours.map(function (h) { return h + "时"; }) },
    yAxis: [{ type: "value", name: "人次" }, { type: "value", name: "分钟" }],
    series: [
      { name: "取号数", type: "bar", data: d.issued },
      { name: "平均等候（分钟）", type: "line", yAxisIndex: 1, data: d.wait },
      { name: "平均办理（分钟）", type: "line", yAxisIndex: 1, data: d.service }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
