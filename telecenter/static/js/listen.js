// "Escuchar": one large button per recording, and the browser's own offline voice for text
// without one. Without this file the recordings keep their plain players.
(function () {
  function toggleRecording(button) {
    var audio = button.parentNode.querySelector("audio[data-recording]");
    document.querySelectorAll("audio[data-recording]").forEach(function (other) {
      if (other !== audio) { other.pause(); }
    });
    if (audio.paused) { audio.play(); } else { audio.pause(); }
  }

  function showState(button, playing, labelKey) {
    var label = button.querySelector("span");
    if (!button.dataset.label) { button.dataset.label = label.textContent; }
    label.textContent = playing ? button.dataset[labelKey] : button.dataset.label;
    button.setAttribute("aria-pressed", playing ? "true" : "false");
  }

  document.querySelectorAll("[data-listen]").forEach(function (button) {
    var audio = button.parentNode.querySelector("audio[data-recording]");
    if (!audio) { return; }
    audio.removeAttribute("controls");
    audio.hidden = true;
    button.hidden = false;
    audio.addEventListener("play", function () { showState(button, true, "pauseLabel"); });
    audio.addEventListener("pause", function () { showState(button, false, "pauseLabel"); });
    audio.addEventListener("ended", function () { showState(button, false, "pauseLabel"); });
  });

  // Only voices installed on the PC (localService): network voices need the internet.
  function localVoice(lang) {
    if (!("speechSynthesis" in window)) { return null; }
    var wanted = (lang || "es").slice(0, 2).toLowerCase();
    return window.speechSynthesis.getVoices().filter(function (voice) {
      return voice.localService && voice.lang.slice(0, 2).toLowerCase() === wanted;
    })[0] || null;
  }

  function speakers() { return document.querySelectorAll("[data-speak]"); }

  function offerVoice() {
    speakers().forEach(function (button) {
      var target = document.querySelector(button.dataset.speak);
      button.hidden = !(target && localVoice(target.closest("[lang]").lang));
    });
  }

  function speak(button) {
    var synth = window.speechSynthesis;
    var speaking = button.getAttribute("aria-pressed") === "true";
    synth.cancel();
    speakers().forEach(function (other) { showState(other, false, "stopLabel"); });
    if (speaking) { return; }
    var target = document.querySelector(button.dataset.speak);
    var clone = target.cloneNode(true);
    clone.querySelectorAll("button, audio, script").forEach(function (node) { node.remove(); });
    var utterance = new SpeechSynthesisUtterance(clone.textContent.replace(/\s+/g, " ").trim());
    utterance.voice = localVoice(target.closest("[lang]").lang);
    utterance.lang = utterance.voice.lang;
    utterance.rate = 0.9;
    utterance.onend = function () { showState(button, false, "stopLabel"); };
    showState(button, true, "stopLabel");
    synth.speak(utterance);
  }

  if ("speechSynthesis" in window) {
    offerVoice();
    window.speechSynthesis.addEventListener("voiceschanged", offerVoice);
  }

  document.addEventListener("click", function (event) {
    var recording = event.target.closest("[data-listen]");
    if (recording) { toggleRecording(recording); return; }
    var text = event.target.closest("[data-speak]");
    if (text) { speak(text); }
  });
})();
