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
