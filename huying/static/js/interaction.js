// Huying 呼应 — 互动: the debate chart (vendored ECharts) and the share bars of the list.
// Data come from a JSON script element; the page reads fully without JavaScript.
(function () {
  "use strict";
  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }
  onReady(function () {
    // Share bars: widths set from data attributes (no inline styles: the CSP forbids them).
    document.querySelectorAll(".ix-bar [data-share]").forEach(function (el) {
      el.style.width = parseFloat(el.getAttribute("data-share")) + "%";
    });
    var holder = document.getElementById("debate-chart");
    var source = document.getElementById("debate-data");
    if (!holder || !source || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(holder);
    chart.setOption({
      color: ["#c8161d", "#1d4f91"],
      tooltip: { trigger: "item", renderMode: "richText" },
      series: [{
        type: "pie",
        radius: ["45%", "70%"],
        label: { formatter: "{b}\n{d}%" },
        data: data.labels.map(function (name, i) { return { name: name, value: data.values[i] }; })
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
