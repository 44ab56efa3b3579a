// Copy buttons: <button data-copy="ID" hidden> copies the text of element #ID.
// The buttons stay hidden without JavaScript; the text can still be selected by hand.
(function () {
  "use strict";
  var status = document.getElementById("copy-status");

  function fallbackCopy(text) {
    // navigator.clipboard needs a secure context (https or localhost).
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    document.body.removeChild(area);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  function announce(button, text) {
    button.textContent = text;
    if (status) { status.textContent = button.getAttribute("aria-label").replace(/^Copy/, text); }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(target.textContent.trim()).then(
        function () { announce(button, "Copied"); },
        function () { announce(button, "Select and copy"); }
      );
    });
  });
})();
