// Huying 呼应 — the leaders' cockpit and its wall screen (ECharts 5, vendored).
// The page renders every figure; this script draws the charts from the same figures
// ({{ figures|json_script:"cockpit-data" }}) and polls data.json every data-refresh seconds,
// updating the figures, the lists and the charts in place (no reload).
(function () {
  "use strict";

  var root = null;
  var text = {};
  var charts = {};
  var geoReady = null;
  var timer = null;
  var state = { updates: 0, failures: 0, last: null };

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function dark() {
    return root.classList.contains("ck-screen");
  }

  function palette() {
    return dark()
      ? { text: "#c9d6ea", axis: "#36507a", split: "#1d3358", accent: "#ffcf4a", red: "#ff5a5f", blue: "#39a0ff", area: "#10264a", border: "#3c7bd9", ok: "#35d49a" }
      : { text: "#545b66", axis: "#c8cdd4", split: "#eceff3", accent: "#c8161d", red: "#c8161d", blue: "#1d4f91", area: "#e8eff9", border: "#1d4f91", ok: "#1f8a5b" };
  }

  function path(data, dotted) {
    return dotted.split(".").reduce(function (value, key) {
      return value === null || value === undefined ? undefined : value[key];
    }, data);
  }

  function format(value, kind) {
    if (value === null || value === undefined) return "—";
    if (kind === "pct") return Number(value).toFixed(1).replace(/\.0$/, "") + "%";
    if (kind === "int") return Number(value).toLocaleString("zh-CN");
    if (kind === "time") return String(value).slice(11, 19);
    return String(value);
  }

  // --- figures and lists -----------------------------------------------------------------
  function updateFields(data, first) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-field]"), function (el) {
      var value = path(data, el.getAttribute("data-field"));
      if (value === undefined) return;
      var shown = format(value, el.getAttribute("data-format"));
      if (el.textContent !== shown) {
        el.textContent = shown;
        if (first) return;
        el.classList.remove("ck-changed");
        void el.offsetWidth; // restart the highlight
        el.classList.add("ck-changed");
      }
      if (el.tagName === "TIME") el.setAttribute("datetime", value);
    });
  }

  function node(tag, className, content) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (content !== undefined && content !== null) el.textContent = String(content);
    return el;
  }

  function nameNode(item) {
    if (item.url) {
      var a = node("a", "ck-name", item.title || item.name);
      a.href = item.url;
      return a;
    }
    return node("span", "ck-name", item.title || item.name);
  }

  function empty(list, message) {
    list.appendChild(node("li", "ck-empty", message));
  }

  var LISTS = {
    streets: function (data) {
      var wo = data.workorders;
      return wo && {
        items: wo.streets.slice(0, 8),
        empty: text.noOrders,
        row: function (s) { return [node("span", "ck-name", s.name), node("span", "ck-num", format(s.count, "int"))]; }
      };
    },
    red: function (data) { return data.workorders && ranked(data.workorders.red); },
    black: function (data) { return data.workorders && ranked(data.workorders.black); },
    topics: function (data) {
      var wo = data.workorders;
      return wo && {
        items: wo.topics,
        empty: text.noTopics,
        row: function (t) {
          var meta = (t.place ? t.place + " · " : "") + t.people + " " + text.people;
          return [nameNode(t), node("span", "ck-meta", meta)];
        }
      };
    },
    alerts: function (data) {
      var wo = data.workorders;
      return wo && {
        items: wo.alerts,
        empty: text.noAlerts,
        className: "ck-alert",
        row: function (t) {
          return [nameNode(t), node("span", "ck-tag ck-tag-" + t.trend, t.trend === "new" ? text.trendNew : text.trendRising)];
        }
      };
    },
    states: function (data) {
      var s = data.cppcc && data.cppcc.sessions;
      return s && { items: s.states, row: share };
    },
    ratings: function (data) {
      var s = data.cppcc && data.cppcc.sessions;
      return s && { items: s.satisfaction.shares, row: share };
    },
    levels: function (data) {
      var o = data.cppcc && data.cppcc.opinions;
      return o && { items: o.levels, row: share };
    },
    key: function (data) {
      var k = data.cppcc && data.cppcc.key;
      return k && {
        items: k.rows,
        empty: text.noKey,
        classOf: function (row) { return "ck-keyrow ck-level-" + row.level; },
        row: function (row) {
          var steps = node("span", "ck-steps");
          steps.setAttribute("data-step", row.step);
          text.steps.forEach(function (label, i) {
            steps.appendChild(node("span", "ck-step" + (i <= row.step ? " ck-step-done" : ""), label));
          });
          var meta = row.status + (row.units.length ? " · " + row.units.join("、") : "");
          return [nameNode(row), steps, node("span", "ck-meta", meta)];
        }
      };
    },
    members: function (data) {
      var m = data.cppcc && data.cppcc.members;
      return m && {
        items: m.top,
        empty: text.noActs,
        row: function (item, i) {
          return [node("span", "ck-rank", i + 1), nameNode(item), node("span", "ck-num", item.points)];
        }
      };
    }
  };

  function ranked(items) {
    return {
      items: items,
      empty: text.notEnough,
      row: function (r) { return [node("span", "ck-rank", r.rank), node("span", "ck-name", r.name), node("span", "ck-num", r.score)]; }
    };
  }

  function share(s) {
    return [node("span", "ck-name", s.label), node("span", "ck-num", format(s.value, "int"))];
  }

  function updateLists(data) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-list]"), function (list) {
      var spec = LISTS[list.getAttribute("data-list")];
      var found = spec && spec(data);
      if (!found) return;
      list.textContent = "";
      if (!found.items.length) return empty(list, found.empty || "—");
      found.items.forEach(function (item, i) {
        var li = node("li", found.classOf ? found.classOf(item) : found.className || "");
        found.row(item, i).forEach(function (child) { li.appendChild(child); });
        list.appendChild(li);
      });
    });
  }

  // --- charts ----------------------------------------------------------------------------
  function chart(name) {
    var el = root.querySelector('[data-chart="' + name + '"]');
    if (!el || !window.echarts) return null;
    if (!charts[name]) charts[name] = window.echarts.init(el, null, { renderer: "canvas" });
    return charts[name];
  }

  function fontSize(screen, page) {
    return dark() ? screen : page;
  }

  function drawTrend(data) {
    var wo = data.workorders;
    var c = wo && chart("trend");
    if (!c) return;
    var p = palette();
    c.setOption({
      animation: false,
      color: [p.accent],
      grid: { left: 8, right: 16, top: 16, bottom: 4, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: {
        type: "category",
        boundaryGap: false,
        data: wo.trend.map(function (d) { return d.day.slice(5); }),
        axisLine: { lineStyle: { color: p.axis } },
        axisLabel: { color: p.text, fontSize: fontSize(16, 12) }
      },
      yAxis: {
        type: "value",
        minInterval: 1,
        axisLabel: { color: p.text, fontSize: fontSize(16, 12) },
        splitLine: { lineStyle: { color: p.split } }
      },
      series: [{
        name: text.received,
        type: "line",
        data: wo.trend.map(function (d) { return d.count; }),
        smooth: 0.3,
        symbolSize: 6,
        lineStyle: { width: 3 },
        areaStyle: { opacity: 0.18 }
      }]
    });
  }

  function streetOption(wo) {
    var p = palette();
    var points = wo.streets.filter(function (s) { return s.lat !== null && s.lng !== null; });
    var max = points.reduce(function (m, s) { return Math.max(m, s.count); }, 1);
    return {
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (params) {
          return params.seriesType === "scatter" ? params.name + "：" + format(params.value[2], "int") + " " + text.orders : params.name;
        }
      },
      geo: {
        map: "huying-cockpit",
        roam: false,
        layoutCenter: ["50%", "50%"],
        layoutSize: "96%",
        label: { show: true, color: p.text, fontSize: fontSize(16, 11) },
        itemStyle: { areaColor: p.area, borderColor: p.border, borderWidth: 1.5 },
        emphasis: { itemStyle: { areaColor: p.split }, label: { color: p.text } }
      },
      series: [{
        type: "scatter",
        coordinateSystem: "geo",
        data: points.map(function (s) { return { name: s.name, value: [s.lng, s.lat, s.count] }; }),
        symbolSize: function (value) { return fontSize(14, 8) + fontSize(44, 28) * Math.sqrt(value[2] / max); },
        itemStyle: { color: p.red, opacity: 0.8, borderColor: "#fff", borderWidth: 1 },
        label: { show: dark(), formatter: "{b}", position: "right", color: p.text, fontSize: 14 }
      }]
    };
  }

  function drawStreets(data) {
    var wo = data.workorders;
    var el = root.querySelector('[data-chart="streets"]');
    if (!wo || !el || !window.echarts) return;
    if (!geoReady) {
      geoReady = window.fetch(wo.geo.url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (geojson) {
          var wanted = wo.geo.districts || [];
          var features = geojson.features.filter(function (f) {
            return !wanted.length || wanted.indexOf(String(f.id)) !== -1;
          });
          window.echarts.registerMap("huying-cockpit", { type: "FeatureCollection", features: features.length ? features : geojson.features });
          return true;
        })
        .catch(function () {
          el.textContent = "";
          el.appendChild(node("p", "ck-chart-message", text.mapFailed));
          return false;
        });
    }
    geoReady.then(function (ok) {
      if (!ok) return;
      var c = chart("streets");
      if (c) c.setOption(streetOption(wo));
    });
  }

  function drawStates(data) {
    var s = data.cppcc && data.cppcc.sessions;
    var c = s && chart("states");
    if (!c) return;
    var p = palette();
    var items = s.states.slice().reverse();
    c.setOption({
      animation: false,
      color: [p.blue],
      grid: { left: 8, right: 40, top: 4, bottom: 4, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1, axisLabel: { show: false }, splitLine: { lineStyle: { color: p.split } } },
      yAxis: {
        type: "category",
        data: items.map(function (i) { return i.label; }),
        axisLine: { lineStyle: { color: p.axis } },
        axisLabel: { color: p.text, fontSize: fontSize(15, 12), interval: 0 }
      },
      series: [{
        type: "bar",
        data: items.map(function (i) { return i.value; }),
        barMaxWidth: fontSize(18, 14),
        label: { show: true, position: "right", color: p.text, fontSize: fontSize(16, 12) },
        itemStyle: { borderRadius: [0, 4, 4, 0] }
      }]
    });
  }

  function drawSatisfaction(data) {
    var s = data.cppcc && data.cppcc.sessions;
    var c = s && chart("satisfaction");
    if (!c) return;
    var p = palette();
    var rate = s.satisfaction.rate;
    c.setOption({
      animation: false,
      color: [p.ok, p.blue, p.red],
      tooltip: { trigger: "item" },
      title: {
        text: format(rate, "pct"),
        subtext: s.satisfaction.rated + " " + text.ratings,
        left: "center",
        top: "36%",
        textStyle: { color: p.text, fontSize: fontSize(34, 22), fontWeight: 700 },
        subtextStyle: { color: p.text, fontSize: fontSize(14, 11) }
      },
      series: [{
        type: "pie",
        radius: ["58%", "82%"],
        center: ["50%", "50%"],
        label: { show: false },
        silent: !s.satisfaction.rated,
        // No rating yet: an empty grey ring rather than three equal slices of nothing.
        data: s.satisfaction.rated
          ? s.satisfaction.shares.map(function (r) { return { name: r.label, value: r.value }; })
          : [{ name: "", value: 1, itemStyle: { color: p.split } }]
      }]
    });
  }

  function drawCharts(data) {
    drawTrend(data);
    drawStreets(data);
    drawStates(data);
    drawSatisfaction(data);
  }

  // --- polling ---------------------------------------------------------------------------
  function apply(data, first) {
    state.last = data;
    updateFields(data, first);
    updateLists(data);
    drawCharts(data);
  }

  function refresh() {
    if (!window.fetch) return Promise.resolve(null);
    return window.fetch(root.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        apply(data);
        state.updates += 1;
        root.classList.remove("ck-stale");
        return data;
      })
      .catch(function () {
        state.failures += 1;
        root.classList.add("ck-stale");
        return null;
      });
  }

  function schedule() {
    var seconds = parseInt(root.getAttribute("data-refresh"), 10) || 30;
    timer = window.setTimeout(function () {
      refresh().then(schedule);
    }, seconds * 1000);
  }

  function startClock() {
    var clock = root.querySelector("[data-clock]");
    if (!clock) return;
    function tick() {
      var now = new Date();
      clock.textContent = now.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false, year: "numeric", month: "2-digit", day: "2-digit", weekday: "short", hour: "2-digit", minute: "2-digit" });
    }
    tick();
    window.setInterval(tick, 15000);
  }

  onReady(function () {
    root = document.querySelector("[data-cockpit]");
    if (!root) return;
    text = readJson("cockpit-text") || {};
    var data = readJson("cockpit-data");
    if (data) apply(data, true);
    startClock();
    schedule();
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        Object.keys(charts).forEach(function (name) { charts[name].resize(); });
      }, 150);
    });
  });

  // For the browser tests and the operators: poll now, and what has been drawn.
  window.huyingCockpit = {
    refresh: refresh,
    charts: charts,
    state: state,
    stop: function () { if (timer) window.clearTimeout(timer); }
  };
})();
