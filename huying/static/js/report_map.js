// Huying 呼应 — the map point of the intake forms (public report, grid report, referral).
//
// Progressive enhancement: without JavaScript the form has typed latitude/longitude
// fields. With it, the district's outline (vendored ECharts, GeoJSON served from our own
// origin) appears above them: a tap inside the outline fills the fields, typed values move
// the marker, and "use my location" asks the browser's geolocation. Messages come from the
// template's data-msg-* attributes (translated there).
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  // Ray casting over a GeoJSON Polygon / MultiPolygon: is [lng, lat] inside?
  function inRing(point, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > point[1]) !== (yj > point[1]) &&
          point[0] < ((xj - xi) * (point[1] - yi)) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }
  function inPolygon(point, rings) {
    if (!rings.length || !inRing(point, rings[0])) return false;
    for (var k = 1; k < rings.length; k++) {
      if (inRing(point, rings[k])) return false; // a hole
    }
    return true;
  }
  function inFeatures(point, features) {
    return features.some(function (feature) {
      var g = feature.geometry || {};
      if (g.type === "Polygon") return inPolygon(point, g.coordinates);
      if (g.type === "MultiPolygon") {
        return g.coordinates.some(function (rings) { return inPolygon(point, rings); });
      }
      return false;
    });
  }

  function setUp(box) {
    var form = box.closest("form");
    var dataNode = document.getElementById("report-map-data");
    if (!form || !dataNode || !window.echarts || !window.fetch) return;
    var config = JSON.parse(dataNode.textContent);
    var lat = form.querySelector("[name=latitude]");
    var lng = form.querySelector("[name=longitude]");
    var district = form.querySelector("[name=district]");
    var canvas = box.querySelector("[data-map-canvas]");
    var status = box.querySelector("[data-map-status]");
    var locate = box.querySelector("[data-locate]");
    var clear = box.querySelector("[data-clear-point]");
    if (!lat || !lng || !canvas) return;

    var chart = null;
    var all = [];
    var shown = [];
    var mapName = "";

    function say(key) {
      if (status) status.textContent = box.getAttribute("data-msg-" + key) || "";
    }
    function chosenDistrict() {
      var key = district ? district.value : "";
      return config.districts[key] || config.districts[Object.keys(config.districts)[0]];
    }
    function point() {
      var a = parseFloat(lat.value), o = parseFloat(lng.value);
      return isFinite(a) && isFinite(o) ? [[o, a]] : [];
    }
    function mark() {
      if (chart) chart.setOption({ series: [{ id: "point", data: point() }] });
    }
    function draw() {
      var d = chosenDistrict();
      shown = all.filter(function (f) {
        var name = f.properties && f.properties.name;
        return d && ((d.code && String(f.id) === String(d.code)) || name === d.name);
      });
      if (!shown.length) {
        box.hidden = true; // no outline for this district: the typed fields remain
        return;
      }
      box.hidden = false;
      mapName = "report-" + (d.code || d.name);
      window.echarts.registerMap(mapName, { type: "FeatureCollection", features: shown });
      if (!chart) {
        chart = window.echarts.init(canvas, null, { renderer: "canvas" });
        chart.getZr().on("click", function (event) {
          var coords = chart.convertFromPixel({ geoIndex: 0 }, [event.offsetX, event.offsetY]);
          if (!coords || !inFeatures(coords, shown)) {
            say("outside");
            return;
          }
          set(coords[1], coords[0], "set");
        });
        window.addEventListener("resize", function () { chart.resize(); });
      }
      chart.setOption({
        animation: false,
        geo: {
          map: mapName,
          roam: false,
          silent: true,
          layoutCenter: ["50%", "50%"],
          layoutSize: "95%",
          itemStyle: { areaColor: "#e8eff9", borderColor: "#1d4f91", borderWidth: 1.5 },
          label: { show: false }
        },
        series: [{
          id: "point",
          type: "scatter",
          coordinateSystem: "geo",
          symbol: "pin",
          symbolSize: 34,
          itemStyle: { color: "#c8161d" },
          data: point()
        }]
      }, true);
      chart.resize();
    }
    function set(a, o, message) {
      lat.value = a.toFixed(6);
      lng.value = o.toFixed(6);
      mark();
      say(message);
    }

    lat.addEventListener("change", mark);
    lng.addEventListener("change", mark);
    if (district) district.addEventListener("change", draw);
    if (clear) {
      clear.addEventListener("click", function () {
        lat.value = "";
        lng.value = "";
        mark();
        say("cleared");
      });
    }
    if (locate) {
      if (!navigator.geolocation) {
        locate.hidden = true;
      } else {
        locate.addEventListener("click", function () {
          say("locating");
          navigator.geolocation.getCurrentPosition(
            function (position) { set(position.coords.latitude, position.coords.longitude, "located"); },
            function () { say("no-location"); },
            { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
          );
        });
      }
    }

    fetch(config.geo, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (geo) {
        all = geo.features || [];
        draw();
      })
      .catch(function () { box.hidden = true; });
  }

  onReady(function () {
    var boxes = document.querySelectorAll("[data-report-map]");
    for (var i = 0; i < boxes.length; i++) setUp(boxes[i]);
  });
})();
