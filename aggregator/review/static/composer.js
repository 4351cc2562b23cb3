// The composer: a length guide on every summary, saved as you type, and the preview
// refreshed from the server (which renders and sanitises it) after each save.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var preview = document.getElementById("preview");

  function refreshPreview() {
    if (!preview) { return; }
    fetch(preview.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        preview.replaceChildren.apply(preview, Array.prototype.slice.call(doc.body.childNodes));
      });
  }

  function guide(area) {
    var form = area.closest("form");
    var line = form.querySelector(".guide");
    var length = area.value.trim().length;
    var min = parseInt(area.getAttribute("data-min"), 10);
    var max = parseInt(area.getAttribute("data-max"), 10);
    line.querySelector(".count").textContent = length;
    line.classList.toggle("over", length > max);
    line.classList.toggle("under", length > 0 && length < min);
  }

  function save(area) {
    var form = area.closest("form");
    var state = form.querySelector(".save-state");
    var body = new URLSearchParams();
    var original = form.querySelector('input[name="original"]');
    body.set("summary", area.value);
    // What this page last saw stored: another editor's newer save is never overwritten.
    if (original) { body.set("original", original.value); }
    state.textContent = "saving…";
    return fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": token, "Accept": "application/json" },
      body: body
    }).then(function (response) {
      if (response.status === 409) {
        return response.json().then(function (reply) {
          state.textContent = reply.conflict
            ? "not saved: another editor saved “" + reply.stored + "” meanwhile; reload to see it"
            : "not saved: " + reply.message;
          form.classList.add("conflict");
        });
      }
      state.textContent = response.ok ? "saved" : "not saved";
      if (response.ok && original) { original.value = area.value.trim().split(/\s+/).join(" "); }
      if (response.ok) {
        refreshPreview();
        // A saved text is the editor's now (an emptied one falls back: reload to see which).
        var entry = form.closest("article.b-entry");
        var origin = entry && document.getElementById("origin-" + entry.getAttribute("data-item"));
        if (origin && area.value.trim()) { origin.textContent = "Summary: the editor's"; }
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea.summary-edit"), function (area) {
    var timer = null;
    guide(area);
    area.addEventListener("input", function () {
      guide(area);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { save(area); }, 500);
    });
  });
})();
