// A signed-in page's idle timer, and form answers kept across a sign-out.
// Every page works without this file: the server signs idle people out by itself
// (telecenter/auth/session_policy.py), and the forms are plain forms.
(function () {
  "use strict";
  var body = document.body;
  var user = body && body.dataset.user;
  if (!user) { return; }  // not signed in: no timer, no drafts

  // ---- Drafts: <form data-draft="key"> keeps its answers in this browser ----------------
  // Under a key with the user's id, so that the next person at a shared PC never sees them;
  // never a password nor a hidden field (the CSRF token); dropped after a few days.
  var DRAFT_PREFIX = "telecenter-draft:";
  var DRAFT_MAX_AGE_MS = 3 * 24 * 3600 * 1000;
  var SKIPPED_TYPES = ["password", "hidden", "file", "submit", "button", "reset", "image"];

  function store() {
    try { return window.localStorage; } catch (error) { return null; }
  }

  function draftKey(name) { return DRAFT_PREFIX + user + ":" + name; }

  function kept(element) {
    return Boolean(element.name) && !element.disabled &&
      SKIPPED_TYPES.indexOf(String(element.type).toLowerCase()) < 0 &&
      element.autocomplete !== "current-password" && element.autocomplete !== "new-password";
  }

  function checkable(element) { return element.type === "checkbox" || element.type === "radio"; }

  function saveDraft(form) {
    var storage = store();
    if (!storage) { return; }
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element)) { return; }
      var values = fields[element.name] || (fields[element.name] = []);
      if (checkable(element)) {
        if (element.checked) { values.push(element.value); }
      } else if (element.type === "select-multiple") {
        Array.prototype.forEach.call(element.selectedOptions, function (option) {
          values.push(option.value);
        });
      } else {
        values.push(element.value);
      }
    });
    try {
      storage.setItem(draftKey(form.dataset.draft), JSON.stringify({ saved: Date.now(), fields: fields }));
    } catch (error) { /* storage full or refused: the form still works */ }
  }

  function readDraft(name) {
    var storage = store();
    if (!storage) { return null; }
    try {
      var draft = JSON.parse(storage.getItem(draftKey(name)) || "null");
      return draft && draft.fields && Date.now() - draft.saved < DRAFT_MAX_AGE_MS ? draft : null;
    } catch (error) { return null; }
  }

  function clearDraft(name) {
    var storage = store();
    if (storage) { storage.removeItem(draftKey(name)); }
  }

  function restoreDraft(form) {
    var draft = readDraft(form.dataset.draft);
    if (!draft) { return; }
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element) || !Object.prototype.hasOwnProperty.call(draft.fields, element.name)) { return; }
      var values = draft.fields[element.name];
      if (checkable(element)) {
        element.checked = values.indexOf(element.value) >= 0;
      } else if (element.type === "select-multiple") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = values.indexOf(option.value) >= 0;
        });
      } else {
        var index = seen[element.name] || 0;
        seen[element.name] = index + 1;
        if (index < values.length) { element.value = values[index]; }
      }
    });
  }

  function forgetOldDrafts() {
    var storage = store();
    if (!storage) { return; }
    for (var i = storage.length - 1; i >= 0; i -= 1) {
      var key = storage.key(i);
      if (!key || key.indexOf(DRAFT_PREFIX) !== 0) { continue; }
      var draft = null;
      try { draft = JSON.parse(storage.getItem(key)); } catch (error) { draft = null; }
      if (!draft || !(Date.now() - draft.saved < DRAFT_MAX_AGE_MS)) { storage.removeItem(key); }
    }
  }

  function draftFormOf(element) {
    var form = element && element.form;
    return form && form.dataset && form.dataset.draft ? form : null;
  }

  forgetOldDrafts();
  Array.prototype.forEach.call(document.querySelectorAll("[data-draft-done]"), function (done) {
    clearDraft(done.dataset.draftDone);
  });
  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), restoreDraft);
  ["input", "change"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var form = draftFormOf(event.target);
      if (form) { saveDraft(form); }
    });
  });
  document.addEventListener("submit", function (event) {  // sent: the draft is done
    var form = event.target;
    if (!event.defaultPrevented && form.dataset && form.dataset.draft) { clearDraft(form.dataset.draft); }
  });

  // ---- Idle timer -----------------------------------------------------------------------
  // The server signs out after `limit` idle seconds, counted from its own stamp; the page
  // starts from the seconds it had left when it was made (data-idle-left).
  var limit = Number(body.dataset.idleSeconds);
  var lead = Number(body.dataset.idleWarning);
  var statusUrl = body.dataset.sessionStatusUrl;
  var signedOutUrl = body.dataset.signedOutUrl;
  var dialog = document.getElementById("idle-warning");
  var keepAliveForm = dialog && dialog.querySelector("form");
  var timerWorks = limit > 0 && statusUrl && signedOutUrl && keepAliveForm && window.fetch && window.FormData;

  var MARGIN_MS = 2000;  // past the end, so that the server has surely signed out too
  // Work on the page is told to the server at most this often (2 minutes; less with the short
  // limits of tests), so that a long quiz does not end in a sign-out.
  var PING_EVERY_MS = Math.min(120, Math.max(1, (limit - lead) / 2)) * 1000;

  var deadline = Date.now() + Number(body.dataset.idleLeft) * 1000;
  var lastPing = deadline - limit * 1000;  // when the server's stamp was set, as far as we know
  var lastActivity = 0;
  var warned = false;
  var asking = false;  // a status check under way
  var leaving = false;

  function showWarning() {
    if (warned || leaving) { return; }
    warned = true;
    if (typeof dialog.showModal === "function") {
      if (!dialog.open) { dialog.showModal(); }
    } else {
      dialog.setAttribute("open", "");
    }
    var button = dialog.querySelector("button");
    if (button) { button.focus(); }
  }

  function hideWarning() {
    if (!warned) { return; }
    warned = false;
    if (typeof dialog.close === "function" && dialog.open) { dialog.close(); }
    dialog.removeAttribute("open");
  }

  function leave() {
    if (leaving) { return; }
    leaving = true;
    window.location.assign(signedOutUrl);
  }

  // Asks the server how long is left (another tab may have kept the session open); `final`
  // when the time should be up: a page that cannot reach the server then leaves all the same.
  function askServer(final) {
    if (asking || leaving) { return; }
    asking = true;
    fetch(statusUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        asking = false;
        if (!state.signed_in) { leave(); return; }
        deadline = Date.now() + state.seconds_left * 1000;
        lastPing = Math.max(lastPing, deadline - limit * 1000);
        if (deadline - Date.now() > lead * 1000) { hideWarning(); } else { showWarning(); }
      }, function () {
        asking = false;
        if (final) { leave(); } else { showWarning(); }
      });
  }

  function keepAlive() {
    var sentAt = Date.now();
    lastPing = sentAt;
    fetch(keepAliveForm.action, {
      method: "POST",
      body: new FormData(keepAliveForm),
      credentials: "same-origin",
      redirect: "manual",
    }).then(function (response) {
      if (response.status === 204) {
        deadline = sentAt + limit * 1000;
      } else {
        askServer(false);  // the session was already over, or the page is too old
      }
    }, function () { /* no network now: the next activity or check tries again */ });
  }

  function onActivity() {
    if (warned || leaving) { return; }  // while the warning shows, only its button counts
    lastActivity = Date.now();
    if (lastActivity - lastPing >= PING_EVERY_MS) { keepAlive(); }
  }

  function tick() {
    if (leaving) { return; }
    var now = Date.now();
    if (now >= deadline + MARGIN_MS) {
      askServer(true);
    } else if (lastActivity > lastPing && now - lastPing >= PING_EVERY_MS) {
      keepAlive();  // work since the last ping, told now that the interval has passed
    } else if (!warned && now >= deadline - lead * 1000) {
      askServer(false);
    }
  }

  if (!timerWorks) { return; }

  keepAliveForm.addEventListener("submit", function (event) {
    event.preventDefault();
    hideWarning();
    lastActivity = Date.now();
    keepAlive();
  });
  dialog.addEventListener("cancel", function (event) {  // Escape: she is here too
    event.preventDefault();
    hideWarning();
    lastActivity = Date.now();
    keepAlive();
  });
  ["keydown", "pointerdown", "input", "change", "wheel", "touchstart"].forEach(function (type) {
    document.addEventListener(type, onActivity, { capture: true, passive: true });
  });
  window.addEventListener("scroll", onActivity, { passive: true });
  // A form sent after the end would only meet the sign-in page, and its answers would be
  // lost: the page goes to sign in first, and the draft stays (this runs before the above).
  document.addEventListener("submit", function (event) {
    if (event.target !== keepAliveForm && Date.now() >= deadline) {
      event.preventDefault();
      askServer(true);
    }
  }, true);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { tick(); }
  });
  window.addEventListener("pageshow", tick);
  window.setInterval(tick, 1000);
})();
