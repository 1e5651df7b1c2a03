// Huying 呼应 — charts of the proposal statistics page (vendored ECharts).
// The figures come from a JSON script element ({{ data|json_script }}); the tables under
// each chart hold the same figures, so the page reads fully without JavaScript.
(function () {
  "use strict";

  var PALETTE = ["#c8161d", "#1d4f91", "#e8a33d", "#2f8f5b", "#7b4fa0", "#5a6b7b", "#d4622a", "#3aa0c8"];
  var TOP = 15;

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  function label(data, key) {
    return (data.status_labels && data.status_labels[key]) || key;
  }

  function base() {
    // richText tooltips are drawn on the canvas: no inline styles (the CSP forbids them).
    return {
      color: PALETTE,
      tooltip: { trigger: "item", renderMode: "richText" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      textStyle: { fontFamily: "inherit" }
    };
  }

  function pie(items, valueKey) {
    var option = base();
    option.legend = { bottom: 0, type: "scroll" };
    option.series = [{
      type: "pie",
      radius: ["35%", "65%"],
      center: ["50%", "45%"],
      label: { formatter: "{b}\n{d}%" },
      data: items.filter(function (i) { return i[valueKey] > 0; }).map(function (i) {
        return { name: i.label, value: i[valueKey] };
      })
    }];
    return option;
  }

  function bars(data, items, nameKey, series) {
    var rows = items.slice(0, TOP).reverse();
    var option = base();
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" };
    option.legend = { top: 0 };
    option.xAxis = { type: "value", minInterval: 1 };
    option.yAxis = { type: "category", data: rows.map(function (r) { return r[nameKey]; }), axisLabel: { width: 160, overflow: "truncate" } };
    option.series = series.map(function (s) {
      return { type: "bar", name: s.name || label(data, s.key), data: rows.map(function (r) { return r[s.key]; }) };
    });
    return option;
  }

  var BUILDERS = {
    status: function (data) {
      var keys = ["pending", "filed", "rejected", "merged", "converted", "withdrawn"];
      var option = base();
      option.xAxis = { type: "category", data: keys.map(function (k) { return label(data, k); }) };
      option.yAxis = { type: "value", minInterval: 1 };
      option.series = [{
        type: "bar",
        colorBy: "data",
        data: keys.map(function (k) { return data.totals[k]; }),
        label: { show: true, position: "top" }
      }];
      return option;
    },
    by_submitter_kind: function (data) { return pie(data.by_submitter_kind, "submitted"); },
    by_category: function (data) {
      return bars(data, data.by_category, "label", [{ key: "submitted" }, { key: "filed" }]);
    },
    by_sector: function (data) {
      return bars(data, data.by_sector, "label", [{ key: "submitted" }, { key: "filed" }]);
    },
    by_committee: function (data) {
      return bars(data, data.by_committee, "label", [{ key: "submitted" }, { key: "filed" }]);
    },
    by_unit: function (data, element) {
      return bars(data, data.by_unit, "name", [
        { key: "proposals", name: element.getAttribute("data-label-proposals") },
        { key: "replied", name: element.getAttribute("data-label-replied") }
      ]);
    },
    reply_classes: function (data) { return pie(data.reply_classes, "count"); },
    satisfaction: function (data) { return pie(data.satisfaction, "count"); }
  };

  onReady(function () {
    var source = document.getElementById("proposal-stats-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var build = BUILDERS[element.getAttribute("data-chart")];
      if (!build) return;
      var chart = window.echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(build(data, element));
      element.classList.add("is-drawn");
      charts.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        charts.forEach(function (chart) { chart.resize(); });
      }, 150);
    });
  });
})();
