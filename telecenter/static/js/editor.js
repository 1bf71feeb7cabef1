// The authoring pages' helpers: the lesson text toolbar and its live preview, the pickers of
// course files, and the recorder. Loaded only on those pages; each page works without it
// (the preview button, the file uploads and the lists of files stay). Markdown is rendered
// only by the server (POST .../preview), never here. No inline script: CSP is script-src 'self'.
(function () {
  "use strict";

  var PREVIEW_DELAY_MS = 400;
  var MAX_RECORDING_MS = 30 * 60 * 1000;

  function csrfToken(root) {
    var input = (root || document).querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function postForm(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(data.reason || ""); }
        return data;
      });
    });
  }

  // ---- Text: replace a range so that the browser's undo still works ----------------------

  function replaceRange(area, start, end, text, selectFrom, selectTo) {
    area.focus();
    area.setSelectionRange(start, end);
    var done = false;
    try { done = document.execCommand("insertText", false, text); } catch (error) { done = false; }
    if (!done || area.value.slice(start, start + text.length) !== text) {
      area.setRangeText(text, start, end, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    area.setSelectionRange(start + selectFrom, start + selectTo);
  }

  function lineStart(text, index) { return text.lastIndexOf("\n", index - 1) + 1; }

  function lineEnd(text, index) {
    var end = text.indexOf("\n", index);
    return end === -1 ? text.length : end;
  }

  var formats = {
    heading: function (area) {
      var text = area.value;
      var start = lineStart(text, area.selectionStart);
      var end = lineEnd(text, start);
      var line = text.slice(start, end).replace(/^#+\s*/, "");
      var placeholder = area.dataset.headingPlaceholder || "";
      var words = line || placeholder;
      replaceRange(area, start, end, "## " + words, 3, 3 + words.length);
    },
    bold: function (area) {
      var start = area.selectionStart;
      var end = area.selectionEnd;
      var chosen = area.value.slice(start, end);
      // "**word **" is not bold in Markdown: keep the spaces around the marks, outside.
      var lead = chosen.match(/^\s*/)[0];
      var trail = chosen.slice(lead.length).match(/\s*$/)[0];
      var words = chosen.slice(lead.length, chosen.length - trail.length);
      if (!words) {
        words = area.dataset.boldPlaceholder || "";
        lead = chosen;
        trail = "";
      }
      replaceRange(area, start, end, lead + "**" + words + "**" + trail,
        lead.length + 2, lead.length + 2 + words.length);
    },
    list: function (area) {
      var text = area.value;
      var start = lineStart(text, area.selectionStart);
      var end = lineEnd(text, Math.max(area.selectionEnd - 1, area.selectionStart));
      var lines = text.slice(start, end).split("\n").map(function (line) {
        if (/^\s*[-*] /.test(line)) { return line; }
        return (line.trim() || start === end) ? "- " + line : line;
      });
      var result = lines.join("\n");
      replaceRange(area, start, end, result, result.length, result.length);
    }
  };

  // A file as its own paragraph, at the cursor: ![description](media/NAME).
  function insertMedia(area, name, description) {
    var text = area.value;
    var at = area.selectionEnd;
    var before = text.slice(0, at);
    var after = text.slice(at);
    var clean = (description || "").replace(/[\[\]\n\r]+/g, " ").trim();
    var markdown = "![" + clean + "](media/" + name + ")";
    var lead = !before || /\n\n$/.test(before) ? "" : (/\n$/.test(before) ? "\n" : "\n\n");
    var tail = !after ? "\n" : (/^\n\n/.test(after) ? "" : (/^\n/.test(after) ? "\n" : "\n\n"));
    var inserted = lead + markdown + tail;
    replaceRange(area, at, at, inserted, inserted.length, inserted.length);
  }

  // "mazorca-de-cacao.png" -> "Mazorca de cacao": a first description to correct.
  function describe(name) {
    var words = name.replace(/\.[^.]+$/, "").replace(/-[0-9a-f]{8}$/, "")
      .replace(/[-_.]+/g, " ").trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  // ---- Live preview ------------------------------------------------------------------------

  function livePreview(form, area) {
    var panel = form.querySelector("[data-live-preview]");
    var url = form.dataset.previewUrl;
    if (!panel || !url || !window.fetch) { return; }
    var body = panel.querySelector("[data-preview-body]");
    var problem = panel.querySelector("[data-preview-problem]");
    var timer = null;
    var sent = 0;
    panel.hidden = false;
    form.classList.add("has-live-preview");

    function refresh() {
      var number = ++sent;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Accept": "application/json",
          "Content-Type": "application/json",
          "X-CSRFToken": csrfToken(form)
        },
        body: JSON.stringify({ text: area.value })
      }).then(function (response) {
        return response.json().then(function (data) {
          if (number !== sent) { return; } // an older answer arriving late
          if (!response.ok) {
            problem.textContent = data.reason || "";
            problem.hidden = !data.reason;
            return;
          }
          body.innerHTML = data.html; // sanitized by the server's one renderer
          problem.textContent = data.problem || "";
          problem.hidden = !data.problem;
        });
      }).catch(function () { /* offline for a moment: the next keystroke tries again */ });
    }

    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, PREVIEW_DELAY_MS);
    });
    refresh();
  }

  // ---- Pickers of course files -------------------------------------------------------------

  function pickerItem(kind, file) {
    var item = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "picker-item";
    button.dataset.name = file.name;
    button.setAttribute("aria-pressed", "false");
    if (kind === "image") {
      var picture = document.createElement("img");
      picture.src = file.url;
      picture.alt = "";
      button.appendChild(picture);
    }
    var label = document.createElement("span");
    label.textContent = file.name;
    button.appendChild(label);
    item.appendChild(button);
    if (kind === "audio") {
      var player = document.createElement("audio");
      player.controls = true;
      player.preload = "none";
      player.src = file.url;
      item.appendChild(player);
    }
    return item;
  }

  function choose(dialog, button) {
    dialog.querySelectorAll(".picker-item").forEach(function (other) {
      other.setAttribute("aria-pressed", other === button ? "true" : "false");
    });
    dialog.dataset.chosen = button.dataset.name;
    var alt = dialog.querySelector("[data-picker-alt]");
    if (alt) {
      alt.value = describe(button.dataset.name);
      alt.removeAttribute("aria-invalid");
      dialog.querySelector("[data-alt-needed]").hidden = true;
    }
    dialog.querySelector("[data-picker-insert]").disabled = false;
  }

  function addToPicker(kind, file) {
    var dialog = document.querySelector("dialog[data-picker='" + kind + "']");
    if (!dialog) { return null; }
    var list = dialog.querySelector("[data-picker-list]");
    var existing = list.querySelector("[data-name='" + CSS.escape(file.name) + "']");
    if (existing) { return existing; }
    var item = pickerItem(kind, file);
    list.appendChild(item);
    dialog.querySelector("[data-picker-empty]").hidden = true;
    return item.querySelector("button");
  }

  function setUpPickers(area) {
    document.querySelectorAll("dialog[data-picker]").forEach(function (dialog) {
      var kind = dialog.dataset.picker;
      dialog.addEventListener("click", function (event) {
        var item = event.target.closest(".picker-item");
        if (item) { choose(dialog, item); }
        if (event.target.closest("[data-picker-insert]") && dialog.dataset.chosen) {
          var alt = dialog.querySelector("[data-picker-alt]");
          var needed = dialog.querySelector("[data-alt-needed]");
          if (alt && !alt.value.trim()) { // a picture needs its words for who cannot see it
            needed.hidden = false;
            alt.setAttribute("aria-invalid", "true");
            alt.focus();
            return;
          }
          dialog.close();
          insertMedia(area, dialog.dataset.chosen, alt ? alt.value : describe(dialog.dataset.chosen));
        }
      });
      var upload = dialog.querySelector("[data-picker-upload]");
      if (upload) { setUpUpload(upload, dialog, kind); }
    });
    document.querySelectorAll("[data-pick]").forEach(function (button) {
      button.addEventListener("click", function () {
        var dialog = document.querySelector("dialog[data-picker='" + button.dataset.pick + "']");
        if (!dialog) { return; }
        delete dialog.dataset.chosen;
        dialog.querySelector("[data-picker-insert]").disabled = true;
        dialog.querySelectorAll(".picker-item").forEach(function (item) {
          item.setAttribute("aria-pressed", "false");
        });
        var status = dialog.querySelector("[data-upload-status]");
        if (status) { status.textContent = ""; }
        dialog.showModal();
      });
    });
  }

  function setUpUpload(form, dialog, kind) {
    var status = form.querySelector("[data-upload-status]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = form.querySelector("input[type=file]");
      if (!input.files.length) { input.focus(); return; }
      status.textContent = status.dataset.msgSaving;
      postForm(form.action, new FormData(form)).then(function (file) {
        input.value = "";
        var button = addToPicker(file.kind, file);
        if (file.kind === kind && button) {
          status.textContent = "";
          choose(dialog, button);
          button.scrollIntoView({ block: "nearest" });
          (dialog.querySelector("[data-picker-alt]") || button).focus();
        } else {
          status.textContent = status.dataset.msgOtherKind;
        }
      }).catch(function (error) {
        status.textContent = error.message || status.dataset.msgFailed;
      });
    });
  }

  // ---- Recorder ----------------------------------------------------------------------------

  function canRecord() {
    return Boolean(window.isSecureContext && navigator.mediaDevices &&
      navigator.mediaDevices.getUserMedia && window.MediaRecorder);
  }

  function hasMicrophone() {
    if (!navigator.mediaDevices.enumerateDevices) { return Promise.resolve(true); }
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      return devices.some(function (device) { return device.kind === "audioinput"; });
    }, function () { return true; });
  }

  function recordingType() {
    var types = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
    for (var i = 0; i < types.length; i++) {
      if (MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(types[i])) {
        return types[i];
      }
    }
    return "";
  }

  function fileNameFor(type) {
    if (/ogg/.test(type)) { return "grabacion.ogg"; }
    if (/mp4/.test(type)) { return "grabacion.m4a"; }
    return "grabacion.webm";
  }

  function clockText(ms) {
    var seconds = Math.floor(ms / 1000);
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function Recorder(root) {
    this.root = root;
    this.form = root.closest("form");
    this.clock = root.querySelector("[data-clock]");
    this.status = root.querySelector("[data-status]");
    this.playback = root.querySelector("[data-playback]");
    this.buttons = {};
    var self = this;
    root.querySelectorAll("[data-action]").forEach(function (button) {
      self.buttons[button.dataset.action] = button;
      button.addEventListener("click", function () { self[button.dataset.action](); });
    });
    root.hidden = false;
    this.reset();
  }

  Recorder.prototype.say = function (name) {
    this.status.textContent = name ? this.root.dataset["msg" + name] || "" : "";
  };

  Recorder.prototype.enable = function (states) {
    var buttons = this.buttons;
    Object.keys(states).forEach(function (name) { buttons[name].disabled = !states[name]; });
  };

  Recorder.prototype.reset = function () {
    this.cancel();
    this.blob = null;
    this.clock.textContent = clockText(0);
    this.playback.hidden = true;
    this.playback.removeAttribute("src");
    this.say("");
    this.enable({ record: true, stop: false, listen: false, save: false });
  };

  Recorder.prototype.record = function () {
    var self = this;
    this.reset();
    this.say("Asking");
    this.enable({ record: false });
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var type = recordingType();
      var chunks = [];
      var media = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
      self.stream = stream;
      self.media = media;
      media.addEventListener("dataavailable", function (event) {
        if (event.data && event.data.size) { chunks.push(event.data); }
      });
      media.addEventListener("stop", function () {
        if (self.media !== media || self.cancelled) { return; } // thrown away meanwhile
        self.release();
        self.blob = new Blob(chunks, { type: media.mimeType || type || "audio/webm" });
        self.playback.src = URL.createObjectURL(self.blob);
        self.say("Ready");
        self.enable({ record: true, stop: false, listen: true, save: true });
        self.buttons.listen.focus();
      });
      self.cancelled = false;
      self.started = Date.now();
      media.start(1000);
      self.root.classList.add("is-recording");
      self.say("Recording");
      self.enable({ record: false, stop: true, listen: false, save: false });
      self.buttons.stop.focus();
      self.ticker = setInterval(function () {
        var elapsed = Date.now() - self.started;
        self.clock.textContent = clockText(elapsed);
        if (elapsed >= MAX_RECORDING_MS) { self.stop(); }
      }, 250);
    }, function () {
      self.say("NoMicrophone");
      self.enable({ record: true });
    });
  };

  Recorder.prototype.stop = function () {
    clearInterval(this.ticker);
    this.root.classList.remove("is-recording");
    if (this.media && this.media.state !== "inactive") { this.media.stop(); }
  };

  Recorder.prototype.release = function () {
    if (this.stream) {
      this.stream.getTracks().forEach(function (track) { track.stop(); });
      this.stream = null;
    }
  };

  // Stop without keeping anything (the window closed, or a new recording starts).
  Recorder.prototype.cancel = function () {
    this.cancelled = true;
    this.stop();
    this.release();
    this.media = null;
  };

  Recorder.prototype.listen = function () {
    this.playback.hidden = false;
    this.playback.currentTime = 0;
    this.playback.play().catch(function () { /* the player's own button still works */ });
  };

  Recorder.prototype.save = function () {
    var self = this;
    if (!this.blob) { return; }
    if (this.blob.size > Number(this.root.dataset.maxBytes)) { this.say("TooLong"); return; }
    var body = new FormData(this.form);
    body.set("file", this.blob, fileNameFor(this.blob.type));
    this.say("Saving");
    this.enable({ record: false, listen: true, save: false });
    postForm(this.form.action, body).then(function (answer) {
      if (answer.location) { window.location.assign(answer.location); return; }
      self.root.dispatchEvent(new CustomEvent("recording-saved", { detail: answer, bubbles: true }));
    }).catch(function (error) {
      self.status.textContent = error.message || self.root.dataset.msgFailed;
      self.enable({ record: true, listen: true, save: true });
    });
  };

  function setUpRecorders() {
    var recorders = document.querySelectorAll("[data-recorder]");
    var buttons = document.querySelectorAll("[data-record-for]");
    if (!recorders.length) { return Promise.resolve([]); }
    function noRecorder(why) {
      document.querySelectorAll("[data-no-recorder='" + why + "']").forEach(function (note) {
        note.hidden = false;
      });
      return [];
    }
    if (!canRecord()) { return Promise.resolve(noRecorder("elsewhere")); }
    return hasMicrophone().then(function (present) {
      if (!present) { return noRecorder("no-microphone"); }
      buttons.forEach(function (button) { button.hidden = false; });
      return Array.prototype.map.call(recorders, function (root) { return new Recorder(root); });
    });
  }

  // ---- Question editor: the chosen file shown beside its list; recording into a list -------

  function showChoice(select) {
    var preview = document.querySelector("[data-preview-for='" + select.id + "']");
    if (!preview) { return; }
    var option = select.selectedOptions[0];
    var url = option && option.dataset.url;
    preview.textContent = "";
    if (!url) { return; }
    var element = document.createElement(select.dataset.mediaKind === "image" ? "img" : "audio");
    element.src = url;
    if (element.tagName === "IMG") { element.alt = ""; element.className = "thumb"; }
    else { element.controls = true; element.preload = "none"; }
    preview.appendChild(element);
  }

  function addAudioChoice(file) {
    document.querySelectorAll("select[data-media-kind=audio]").forEach(function (select) {
      if (select.querySelector("option[value='" + CSS.escape(file.name) + "']")) { return; }
      var option = document.createElement("option");
      option.value = file.name;
      option.textContent = file.name;
      option.dataset.url = file.url;
      select.appendChild(option);
    });
  }

  function setUpQuestionEditor(recorders) {
    document.addEventListener("change", function (event) {
      if (event.target.matches("select[data-media-kind]")) { showChoice(event.target); }
    });
    var dialog = document.querySelector("dialog[data-recorder-dialog]");
    if (!dialog) { return; }
    var recorder = recorders.filter(function (r) { return dialog.contains(r.root); })[0];
    if (!recorder) { return; }
    document.querySelectorAll("[data-record-for]").forEach(function (button) {
      button.addEventListener("click", function () {
        dialog.dataset.target = button.dataset.recordFor;
        recorder.reset();
        dialog.showModal();
      });
    });
    dialog.addEventListener("close", function () { recorder.cancel(); });
    dialog.addEventListener("recording-saved", function (event) {
      var select = document.getElementById(dialog.dataset.target);
      addAudioChoice(event.detail);
      dialog.close();
      if (select) {
        select.value = event.detail.name;
        showChoice(select);
        select.focus();
      }
    });
  }

  // ---- Start -------------------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-picker-close]");
    if (close) { close.closest("dialog").close(); }
  });

  var editor = document.querySelector("form[data-editor]");
  if (editor) {
    var area = editor.querySelector("textarea");
    editor.querySelector("[data-toolbar]").hidden = false;
    editor.querySelectorAll("[data-no-toolbar]").forEach(function (note) { note.hidden = true; });
    editor.querySelectorAll("[data-format]").forEach(function (button) {
      button.addEventListener("click", function () { formats[button.dataset.format](area); });
    });
    setUpPickers(area);
    livePreview(editor, area);
  }
  setUpRecorders().then(setUpQuestionEditor);
})();
