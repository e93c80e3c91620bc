// The duty officer's lead list keeps itself current (C06): twice a second it asks the server for
// its rows (#lead-rows data-live) and replaces them when the server's stamp of what they show
// changed. Served from this site (CSP script-src 'self'); nothing is loaded from another host.
// While the officer is typing into a row's form the rows are left alone until the field is left.
(function () {
  "use strict";
  var PERIOD = 500;  // a push is on the screen within a second (issue 10), not one period plus a request

  function busy(body) {
    var active = document.activeElement;
    if (active && body.contains(active) && active.matches("input, select, textarea")) return true;
    return Array.prototype.some.call(body.querySelectorAll("input[name=reason]"), function (el) {
      return el.value !== "";
    });
  }

  function start() {
    var body = document.getElementById("lead-rows");
    if (!body || !window.fetch) return;
    var url = body.dataset.live, stamp = body.dataset.stamp, waiting = false;
    function poll() {
      if (waiting || document.hidden || busy(body)) return;
      waiting = true;
      fetch(url, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
        .then(function (response) {
          if (!response.ok || response.redirected) return null;
          var next = response.headers.get("X-Lead-Stamp");
          return next === stamp ? null : response.text().then(function (html) {
            if (busy(body)) return;
            body.innerHTML = html;
            stamp = next;
          });
        })
        .catch(function () { /* the next tick tries again */ })
        .then(function () { waiting = false; });
    }
    window.setInterval(poll, PERIOD);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
