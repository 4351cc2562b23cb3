// The item page: "Use draft" copies the machine draft into the editable summary, and the
// summary field shows its length guide (characters, against the bulletin's 250-600, as the
// composer shows it) and its word count. Nothing is saved here: the editor checks the text
// and saves it with the edit form (login and CSRF token as for every change). A static file,
// not an inline script, so the Content-Security-Policy (script-src 'self') still holds.
(function () {
  "use strict";
  var area = document.getElementById("edit-summary");
  var counter = document.getElementById("summary-words");

  var guideLine = document.getElementById("summary-guide");

  function guide() {
    if (!area || !guideLine) { return; }
    var length = area.value.trim().length;
    var min = parseInt(area.getAttribute("data-min"), 10);
    var max = parseInt(area.getAttribute("data-max"), 10);
    guideLine.querySelector(".count").textContent = length;
    guideLine.classList.toggle("over", length > max);
    guideLine.classList.toggle("under", length > 0 && length < min);
    var note = guideLine.querySelector(".guide-note");
    if (note) {
      note.textContent = length > max ? "(longer than a bulletin entry)" :
        (length > 0 && length < min ? "(shorter than a bulletin entry)" : "");
    }
  }

  function countWords() {
    guide();
    if (!area || !counter) { return; }
    var text = area.value.trim();
    var words = text ? text.split(/\s+/).length : 0;
    counter.textContent = words + (words === 1 ? " word" : " words");
  }

  if (area) {
    area.addEventListener("input", countWords);
    countWords();
  }

  var button = document.getElementById("use-draft");
  if (!button || !area) { return; }
  var note = document.getElementById("use-draft-note");
  // The button is hidden in the HTML: without this script it could do nothing.
  button.hidden = false;
  button.addEventListener("click", function () {
    // The draft travels in a data attribute (escaped by the template) and is set as the
    // field's value, never as HTML, so scraped text cannot become markup here.
    area.value = button.getAttribute("data-draft") || "";
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.scrollIntoView({ block: "center" });
    area.focus();
    if (note) { note.hidden = false; }
  });
})();
