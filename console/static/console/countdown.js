// The live countdown of every pending deadline on a page (incidents/templatetags/durations.py).
//
// The server's clock is the truth: each .countdown carries the server's time when the page was
// made (data-now), its due time and its warning time (epoch milliseconds). The script keeps the
// offset between that and the browser's clock, so a wrong clock on the officer's machine never
// changes what is left. It says a span in the words incidents.durations renders into the page
// (#duration-words) and by the same rules: the two largest units, never rounded up.
(function () {
  "use strict";
  var MINUTE = 60, HOUR = 3600, DAY = 86400;

  function say(pattern, values) {
    return pattern.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function span(words, seconds) {
    var total = Math.max(0, Math.floor(seconds));
    var days = Math.floor(total / DAY), hours = Math.floor(total % DAY / HOUR);
    var minutes = Math.floor(total % HOUR / MINUTE), secs = total % MINUTE;
    var parts;
    if (days) {
      parts = [say(words.day, {n: days})].concat(hours ? [say(words.hour, {n: hours})] : []);
    } else if (hours) {
      parts = [say(words.hour, {n: hours})].concat(
        minutes ? [say(words.minute_after_hour, {n: minutes})] : []);
    } else {
      parts = (minutes ? [say(words.minute_before_second, {n: minutes})] : []).concat(
        secs || !minutes ? [say(words.second, {n: secs})] : []);
    }
    return parts.join("").trim();
  }

  function until(words, leftSeconds) {
    if (leftSeconds > 0) return say(words.left, {d: span(words, leftSeconds)});
    return say(words.overdue, {d: span(words, -leftSeconds)});
  }

  function phaseOf(element, now) {
    var due = Number(element.dataset.due), warn = element.dataset.warn;
    if (now >= due) return "overdue";
    if (warn && now >= Number(warn)) return "warning";
    return "ok";
  }

  function start() {
    var source = document.getElementById("duration-words");
    var clocks = document.querySelectorAll(".countdown[data-due]");
    if (!source || !clocks.length) return;
    var words = JSON.parse(source.textContent);
    // Server time minus browser time, from the first countdown (one page, one server clock).
    var offset = Number(clocks[0].dataset.now) - Date.now();
    function tick() {
      var now = Date.now() + offset;
      clocks.forEach(function (element) {
        var phase = phaseOf(element, now);
        element.textContent = until(words, (Number(element.dataset.due) - now) / 1000);
        element.classList.remove("ok", "warning", "overdue");
        element.classList.add(phase);
        var row = element.closest("[data-countdown-row]");
        if (row) row.classList.toggle("overdue", phase === "overdue");
      });
    }
    tick();
    window.setInterval(tick, 1000);
  }

  window.OpinionOpsCountdown = {span: span, until: until};
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
