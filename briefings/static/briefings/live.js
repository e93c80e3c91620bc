// The incident page's documents appear when generated, without a reload: while one is still
// queued (#briefing-rows[data-pending]) the script asks the server for the section's rows every
// two seconds and puts them in place when the server's stamp of what they show changed; it stops
// once none is pending. Served from this site (CSP script-src 'self'); nothing from another host.
(function () {
  "use strict";
  var PERIOD = 2000;

  function start() {
    var rows = document.getElementById("briefing-rows");
    if (!rows || !window.fetch) return;
    var waiting = false, timer = null;
    function poll() {
      if (!rows.hasAttribute("data-pending")) { window.clearInterval(timer); return; }
      if (waiting || document.hidden) return;
      waiting = true;
      fetch(rows.dataset.live, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
        .then(function (response) {
          if (!response.ok || response.redirected) return null;
          if (response.headers.get("X-Briefings-Pending") !== "1") rows.removeAttribute("data-pending");
          var next = response.headers.get("X-Briefings-Stamp");
          return next === rows.dataset.stamp ? null : response.text().then(function (html) {
            rows.innerHTML = html;
            rows.dataset.stamp = next;
          });
        })
        .catch(function () { /* the next tick tries again */ })
        .then(function () { waiting = false; });
    }
    timer = window.setInterval(poll, PERIOD);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
