// The language menu submits its form as soon as a language is chosen (a static file, not an
// inline onchange=, so the Content-Security-Policy needs no 'unsafe-inline' for scripts).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form.lang select[name=language]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
