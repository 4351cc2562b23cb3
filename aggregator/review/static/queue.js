// Keyboard triage for the queue: j/k move, a/r/d approve/reject/defer, x select, o open.
// Actions are sent with fetch (the page's CSRF token in a header); without JavaScript the
// same buttons submit the form. Rejecting (r, or a row's Reject button) first asks for the
// reason in a dialog (#reject-dialog): no reason is ever taken from the bulk menu unasked.
(function () {
  "use strict";
  var form = document.getElementById("queue-form");
  if (!form) { return; }
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var rows = Array.prototype.slice.call(document.querySelectorAll("li.row"));
  var current = -1;
  var toast = document.getElementById("toast");
  var countEl = document.getElementById("selected-count");

  function focusRow(index) {
    if (!rows.length) { return; }
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0 && rows[current]) { rows[current].classList.remove("current"); }
    current = index;
    rows[current].classList.add("current");
    rows[current].focus({ preventScroll: true });
    rows[current].scrollIntoView({ block: "nearest" });
  }

  function say(text, undo) {
    if (!toast) { return; }
    toast.textContent = text;
    if (undo) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Undo";
      button.addEventListener("click", function () {
        post(undo, new URLSearchParams()).then(function (data) {
          say(data.message || "Undone.");
          var row = document.querySelector('li.row[data-id="' + data.item_id + '"]');
          if (row) { row.classList.remove("done"); }
          var version = row && row.querySelector("input.version");
          if (version && data.version) { version.value = data.version; }
        });
      });
      toast.appendChild(button);
    }
    toast.hidden = false;
    window.clearTimeout(say.timer);
    say.timer = window.setTimeout(function () { toast.hidden = true; }, 6000);
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": token, "Accept": "application/json" },
      body: body
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok || !data.ok) { throw new Error(data.message || response.statusText); }
        return data;
      });
    });
  }

  var dialog = document.getElementById("reject-dialog");
  var dialogForm = document.getElementById("reject-dialog-form");
  var dialogReason = document.getElementById("reject-dialog-reason");
  var dialogDetail = document.getElementById("reject-dialog-detail");
  var dialogTitle = document.getElementById("reject-dialog-title");
  var dialogError = document.getElementById("reject-dialog-error");
  var rejecting = null;  // the row the dialog asks about

  // The reason of a rejection, asked each time: the dialog starts on "Choose a reason".
  function askReason(row) {
    if (!dialog || !dialog.showModal) { say("Open the item to reject it with a reason."); return; }
    rejecting = row;
    var title = row.querySelector("a.title");
    dialogTitle.textContent = title ? title.textContent : "item " + row.getAttribute("data-id");
    dialogReason.value = "";
    dialogDetail.value = "";
    dialogError.hidden = true;
    dialog.showModal();
    dialogReason.focus();
  }

  if (dialogForm) {
    dialogForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (event.submitter && event.submitter.value === "cancel") { dialog.close(); return; }
      var reason = dialogReason.value;
      var detail = dialogDetail.value.trim();
      var needsDetail = reason === "duplicate" || reason === "other";
      if (!reason || (needsDetail && !detail)) {
        dialogError.textContent = !reason ? "Choose a reason." :
          (reason === "duplicate" ? "Say which item it duplicates." : "Say why it is rejected.");
        dialogError.hidden = false;
        (reason ? dialogDetail : dialogReason).focus();
        return;
      }
      var row = rejecting;
      dialog.close();
      if (row) { act("reject", row, { reason: reason, detail: detail }); }
    });
    dialog.addEventListener("close", function () {
      // The close event is queued: Escape then r at once reopens the dialog before it runs,
      // and the reopened dialog keeps its row and its focus.
      if (dialog.open) { return; }
      rejecting = null;
      if (current >= 0 && rows[current]) { rows[current].focus({ preventScroll: true }); }
    });
  }

  // A row's own Reject button asks for the reason too (without JavaScript it posts the form).
  rows.forEach(function (row, index) {
    var button = row.querySelector("button.reject");
    if (!button) { return; }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      focusRow(index);
      askReason(row);
    });
  });

  function act(action, target, rejection) {
    var row = target || rows[current];
    if (!row) { return; }
    if (action === "reject" && !rejection) { askReason(row); return; }
    var body = new URLSearchParams();
    body.set("action", action);
    // the version the row was loaded at: an item changed since is refused, not decided
    var version = row.querySelector("input.version");
    if (version) { body.set("version", version.value); }
    if (rejection) {
      body.set("reason", rejection.reason);
      body.set("reason_detail", rejection.detail);
    }
    post(row.getAttribute("data-review"), body).then(function (data) {
      row.classList.add("done");
      if (version && data.version) { version.value = data.version; }
      var status = row.querySelector(".status");
      if (status) { status.textContent = data.status; status.className = "status status-" + data.status; }
      var undo = data.event_id ? row.getAttribute("data-url") + "/undo/" + data.event_id : null;
      say(data.message, undo);
      focusRow(rows.indexOf(row) + 1);
    }).catch(function (error) { say("Not done: " + error.message); });
  }

  function updateCount() {
    if (countEl) { countEl.textContent = form.querySelectorAll('input[name="ids"]:checked').length; }
  }
  form.addEventListener("change", updateCount);

  rows.forEach(function (row, index) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a, button, input, select")) { return; }
      focusRow(index);
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (dialog && dialog.open) { return; }  // the reason dialog has the keys
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") { return; }
    var key = event.key;
    if (key === "j") { focusRow(current + 1); }
    else if (key === "k") { focusRow(current - 1); }
    else if (key === "a") { act("approve"); }
    else if (key === "r") { act("reject"); }
    else if (key === "d") { act("defer"); }
    else if (key === "x" && rows[current]) {
      var box = rows[current].querySelector('input[name="ids"]');
      if (box) { box.checked = !box.checked; updateCount(); }
    }
    else if ((key === "o" || key === "Enter") && rows[current]) { window.location = rows[current].getAttribute("data-url"); }
    else if (key === "n") { var next = document.getElementById("next-page"); if (next) { window.location = next.href; } }
    else { return; }
    event.preventDefault();
  });
})();
