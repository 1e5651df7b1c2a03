// Huying 呼应 — the command centre's dashboard charts (ECharts 5, vendored).
// The figures come from the page: {{ chart|json_script:"dashboard-data" }}; every chart has a
// data table under it, so nothing here is needed to read the figures.
(function () {
  "use strict";

  var RED = "#c8161d";
  var BLUE = "#1d4f91";
  var charts = [];

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function readData() {
    var node = document.getElementById("dashboard-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function message(el, text) {
    el.textContent = "";
    var p = document.createElement("p");
    p.className = "chart-message";
    p.textContent = text;
    el.appendChild(p);
  }

  function make(el, option) {
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  function grid() {
    return { left: 8, right: 24, top: 16, bottom: 8, containLabel: true };
  }

  function barOption(items, color) {
    var names = items.map(function (item) { return item.name; }).reverse();
    var values = items.map(function (item) { return item.value; }).reverse();
    return {
      color: [color],
      grid: grid(),
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names, axisLabel: { width: 96, overflow: "truncate" } },
      series: [{ type: "bar", data: values, barMaxWidth: 22, label: { show: true, position: "right" } }]
    };
  }

  function drawStatus(el, data) {
    if (!data.status.length) return message(el, data.text.noData);
    make(el, barOption(data.status, BLUE));
  }

  function drawCategories(el, data) {
    if (!data.categories.length) return message(el, data.text.noData);
    make(el, barOption(data.categories.slice(0, 12), RED));
  }

  function drawFocus(el, data) {
    var names = [];
    var series = [];
    data.focus.forEach(function (parent) {
      parent.children.forEach(function (child) { names.push(child.name); });
    });
    if (!names.length) return message(el, data.text.noData);
    data.focus.forEach(function (parent) {
      var values = names.map(function (name) {
        var match = parent.children.filter(function (child) { return child.name === name; })[0];
        return match ? match.value : null;
      });
      series.push({ name: parent.name, type: "bar", stack: "focus", data: values.reverse(), barMaxWidth: 22 });
    });
    make(el, {
      color: [RED, BLUE],
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names.slice().reverse(), axisLabel: { width: 110, overflow: "truncate" } },
      series: series
    });
  }

  function drawTrend(el, data) {
    var days = data.trend.days.map(function (day) { return day.slice(5); });
    make(el, {
      color: [RED],
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: days, boundaryGap: false },
      yAxis: { type: "value", minInterval: 1 },
      series: [{
        name: data.text.received,
        type: "line",
        data: data.trend.values,
        smooth: true,
        showSymbol: false,
        areaStyle: { opacity: 0.12 }
      }]
    });
  }

  function drawMap(el, data) {
    message(el, data.text.loading);
    if (!window.fetch) return message(el, data.text.mapFailed);
    window.fetch(data.geo.url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (geojson) {
        var wanted = data.geo.districts || [];
        var features = geojson.features.filter(function (feature) {
          return !wanted.length || wanted.indexOf(String(feature.id)) !== -1;
        });
        if (!features.length) features = geojson.features;
        window.echarts.registerMap("huying-districts", { type: "FeatureCollection", features: features });
        el.textContent = "";
        var max = data.streets.reduce(function (m, s) { return Math.max(m, s.value[2]); }, 1);
        make(el, {
          tooltip: {
            trigger: "item",
            formatter: function (params) {
              if (params.seriesType === "scatter") {
                return params.name + "：" + params.value[2] + " " + data.text.orders;
              }
              return params.name;
            }
          },
          geo: {
            map: "huying-districts",
            roam: true,
            label: { show: true, color: "#545b66", fontSize: 11 },
            itemStyle: { areaColor: "#e8eff9", borderColor: BLUE, borderWidth: 1 },
            emphasis: { itemStyle: { areaColor: "#d5e2f4" }, label: { color: "#1f2329" } }
          },
          series: [{
            type: "scatter",
            coordinateSystem: "geo",
            data: data.streets,
            symbolSize: function (value) { return 8 + 32 * Math.sqrt(value[2] / max); },
            itemStyle: { color: RED, opacity: 0.75, borderColor: "#fff", borderWidth: 1 },
            label: { show: false },
            emphasis: { label: { show: true, formatter: "{b}", position: "top" } }
          }]
        });
      })
      .catch(function () {
        message(el, data.text.mapFailed);
      });
  }

  var DRAW = {
    status: drawStatus,
    categories: drawCategories,
    focus: drawFocus,
    trend: drawTrend,
    map: drawMap
  };

  onReady(function () {
    var data = readData();
    if (!data || !window.echarts) return;
    var nodes = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(nodes, function (el) {
      var draw = DRAW[el.getAttribute("data-chart")];
      if (draw) draw(el, data);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        charts.forEach(function (chart) { chart.resize(); });
      }, 150);
    });
  });

  // Exposed for the browser tests: how many charts were drawn.
  window.huyingDashboard = { charts: charts };
})();
