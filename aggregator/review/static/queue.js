// Keyboard triage for the queue: j/k move, a/r/d approve/reject/defer, x select, o open.
// Actions are sent with fetch (the page's CSRF token in a header); without JavaScript the
// same buttons submit the form.
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

  function act(action) {
    var row = rows[current];
    if (!row) { return; }
    var body = new URLSearchParams();
    body.set("action", action);
    if (action === "reject") {
      var reason = document.getElementById("bulk-reason");
      var detail = document.getElementById("bulk-detail");
      body.set("reason", reason ? reason.value : "out_of_scope");
      body.set("reason_detail", detail ? detail.value : "");
    }
    post(row.getAttribute("data-review"), body).then(function (data) {
      row.classList.add("done");
      var status = row.querySelector(".status");
      if (status) { status.textContent = data.status; status.className = "status status-" + data.status; }
      var undo = data.event_id ? row.getAttribute("data-url") + "/undo/" + data.event_id : null;
      say(data.message, undo);
      focusRow(current + 1);
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
