// "Probar conexión" answers in place, so that what was typed (the key too) stays in the form
// for "Guardar". Without this file the button sends the form and the page comes back with the
// answer (telecenter/sync/routes.py).
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-probe]");
  if (!button || !window.fetch) { return; }
  event.preventDefault();
  var answer = document.getElementById("probe-answer");
  function show(text, kind) {
    answer.textContent = text;
    answer.className = "flash flash-" + kind;
    answer.hidden = false;
    if (!answer.hasAttribute("tabindex")) { answer.setAttribute("tabindex", "-1"); }
    answer.scrollIntoView({ block: "nearest" });
  }
  show(button.dataset.waiting, "info");
  button.disabled = true;
  fetch(button.formAction, {
    method: "POST",
    body: new FormData(button.form),
    headers: { "Accept": "application/json" },
    credentials: "same-origin"
  })
    .then(function (response) { return response.json(); })
    .then(function (data) { show(data.message, data.works ? "success" : "error"); answer.focus(); })
    .catch(function () { show(button.dataset.failed, "error"); })
    .then(function () { button.disabled = false; });
});
