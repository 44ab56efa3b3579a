/* The voice picker's Play buttons: one shared <audio> plays the chosen voice's preview.
   The page works without it (the radio buttons are plain form fields). */
(function () {
  "use strict";
  var player = document.getElementById("voice-preview-player");
  if (!player) return;
  var current = null;

  function reset() {
    if (current) {
      current.textContent = "▶ Play";
      current.removeAttribute("aria-pressed");
    }
    current = null;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-voice-preview]");
    if (!button) return;
    if (current === button && !player.paused) {
      player.pause();
      reset();
      return;
    }
    reset();
    current = button;
    button.textContent = "■ Stop";
    button.setAttribute("aria-pressed", "true");
    player.src = button.getAttribute("data-voice-preview");
    player.play().catch(function () {
      reset();
    });
  });
  player.addEventListener("playing", function () {
    player.setAttribute("data-played", player.currentSrc);
  });
  player.addEventListener("ended", reset);
})();
