// The citation's copy button: shown only where the script runs and the clipboard can be
// written; the citation itself stays selectable text in the textarea.
(function () {
  "use strict";
  var button = document.getElementById("copy-citation");
  var citation = document.getElementById("citation");
  var status = document.getElementById("copy-status");
  if (!button || !citation || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(citation.value).then(
      function () {
        status.textContent = status.getAttribute("data-copied");
      },
      function () {
        citation.focus();
        citation.select();
      }
    );
  });
})();
