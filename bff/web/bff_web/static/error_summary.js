// An error summary's link moves focus to its question's field, not only the scroll position, so a
// keyboard or screen-reader user lands where they can answer (without the script, the link still
// scrolls to the question).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".error-summary a[href^='#']") : null;
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    var field = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
    if (!field) { return; }
    event.preventDefault();
    var label = target.querySelector("legend") || document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
}());
