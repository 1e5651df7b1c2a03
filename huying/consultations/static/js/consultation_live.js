// Live updates of a consultation: poll the small JSON document with ?after=<last id> and
// append what is new. No framework; the server answers 304 while nothing changed.
(function () {
  "use strict";
  function start() {
    var list = document.getElementById("live-updates");
    if (!list || !list.dataset.live) { return; }
    var empty = document.getElementById("live-empty");
    var last = parseInt(list.dataset.last || "0", 10);
    var every = parseInt(list.dataset.poll || "2500", 10);
    function add(u) {
      var li = document.createElement("li");
      li.dataset.id = String(u.id);
      var time = document.createElement("time");
      time.textContent = u.at;
      li.appendChild(time);
      li.appendChild(document.createTextNode(" "));
      if (u.speaker) {
        var who = document.createElement("strong");
        who.textContent = u.speaker;
        li.appendChild(who);
        li.appendChild(document.createTextNode(" "));
      }
      var text = document.createElement("span");
      text.textContent = u.text;
      li.appendChild(text);
      list.appendChild(li);
    }
    function poll() {
      // The signed ticket stands for the session: no cookie is sent, so the server reads
      // nothing but the cached document.
      var url = list.dataset.url + "?after=" + last + "&t=" + encodeURIComponent(list.dataset.ticket || "");
      fetch(url, { credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (r.status === 403) { window.location.reload(); return null; }
          return r.status === 200 ? r.json() : null;
        })
        .then(function (doc) {
          if (doc) {
            if (doc.reload) { window.location.reload(); return; }
            doc.updates.forEach(function (u) { if (u.id > last) { add(u); last = u.id; } });
            if (empty && list.children.length) { empty.hidden = true; }
            if (doc.status !== "live") { return; }
          }
          window.setTimeout(poll, every);
        })
        .catch(function () { window.setTimeout(poll, every * 2); });
    }
    window.setTimeout(poll, every);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
