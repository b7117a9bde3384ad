// Trend charts (ECharts, vendored): counts as bars/lines on the left axis, rates (%) on the right.
(function () {
  const data = JSON.parse(document.getElementById("trend-data").textContent);
  const counts = ["tickets_issued", "cases_received", "cases_finished"];
  const rates = ["satisfaction", "immediate_share"];
  function draw(id, s) {
    const el = document.getElementById(id);
    if (!el || !window.echarts) return;
    const chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 50, top: 36, bottom: 28 },
      xAxis: { type: "category", data: s.labels },
      yAxis: [{ type: "value", name: "件/张" }, { type: "value", name: "%", min: 0, max: 100 }],
      series: [
        ...counts.map((c) => ({ name: data.labels[c], type: "bar", data: s[c] })),
        ...rates.map((c) => ({ name: data.labels[c], type: "line", yAxisIndex: 1, connectNulls: true, data: s[c] })),
      ],
    });
    window.addEventListener("resize", () => chart.resize());
  }
  draw("chart-month", data.month);
  draw("chart-year", data.year);
})();
