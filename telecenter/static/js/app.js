// Small progressive enhancements; every page works without this file.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});

// A file over the page's limit is refused at once, before minutes of sending it.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) { return; }
  var file = input.files && input.files[0];
  var tooBig = file && file.size > Number(input.dataset.maxBytes);
  var note = document.querySelector("[data-too-big-for='" + input.id + "']");
  input.setCustomValidity(tooBig ? input.dataset.tooBig : "");
  if (note) { note.textContent = tooBig ? input.dataset.tooBig : ""; note.hidden = !tooBig; }
  if (tooBig) { input.value = ""; }
});

// On a narrow screen the main menu folds behind its «Menú» button (CSS decides when).
document.addEventListener("DOMContentLoaded", function () {
  var menu = document.querySelector("nav.menu");
  var toggle = menu && menu.querySelector(".menu-toggle");
  if (!toggle) { return; }
  menu.classList.add("folding");
  toggle.addEventListener("click", function () {
    var open = menu.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
});

// After a submit, the answer is where the eye is: the first thing the server marked (a quiz
// result, an error summary, a warning) is scrolled to the top and focused, so a screen
// reader reads it too.
document.addEventListener("DOMContentLoaded", function () {
  var target = document.querySelector("[data-focus], .error-summary, .alert[role=alert], .flash-error");
  if (!target) { return; }
  if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
  target.scrollIntoView({ block: "start" });
  target.focus({ preventScroll: true });
});

// On a phone the dashboard's filters fold into their one-line summary, so the figures come
// first (the width is the one at which CSS hides minor chart labels); without the script
// the filters simply stay open.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.matchMedia("(max-width: 40rem)").matches) { return; }
  document.querySelectorAll("details[data-fold-narrow]").forEach(function (details) {
    details.removeAttribute("open");
  });
});
