// The rules every live section of a page keeps (htmx 2, served by this site as
// django_htmx/htmx-2.min.js; the sections say what to fetch and how often in hx-* attributes).
// A static file listening to htmx's events, because the Content-Security-Policy allows no
// inline script and htmx runs with allowEval=false (no hx-on, no trigger filters):
// - a hidden tab asks nothing (the next tick after it is shown asks again);
// - a section marked data-hold-while-typing is left alone while the reader is typing into one
//   of its fields or has text in one (the duty officer's 排除理由), so a poll never wipes it;
// - an answer that is not the fragment asked for (an expired session redirected to the login
//   page) is never put into the page;
// - a verb's button (data-step-opener) whose form cannot be had in place (refused: the page is
//   out of date; or the session expired) follows its link instead, to the page of that one
//   form, which says why or asks to log in.
(function () {
  "use strict";

  function typing(section) {
    var active = document.activeElement;
    if (active && section.contains(active) && active.matches("input, select, textarea")) {
      return true;
    }
    return Array.prototype.some.call(
      section.querySelectorAll("input[type=text], input:not([type]), textarea"),
      function (field) { return field.value !== ""; });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var section = event.detail.elt;
    if (document.hidden) { event.preventDefault(); return; }
    if (section.hasAttribute("data-hold-while-typing") && typing(section)) event.preventDefault();
  });

  function followLink(opener) { window.location.assign(opener.href); }

  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.elt.hasAttribute("data-step-opener")) followLink(event.detail.elt);
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var path = event.detail.pathInfo;
    if (!path || !path.responsePath) return;
    var asked = new URL(path.requestPath, window.location.href).pathname;
    var answered = new URL(path.responsePath, window.location.href).pathname;
    if (asked !== answered) {
      event.detail.shouldSwap = false;
      if (event.detail.elt.hasAttribute("data-step-opener")) followLink(event.detail.elt);
    }
    var section = event.detail.elt;
    if (section.hasAttribute("data-hold-while-typing") && typing(section)) {
      event.detail.shouldSwap = false;
    }
  });
}());
