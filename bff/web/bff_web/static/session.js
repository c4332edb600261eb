// Inactivity: a while before the session ends for lack of activity (data-session-warn-before, a
// minute unless the municipality set otherwise; never under 20 s), ask whether the resident wants
// to stay logged in (a modal dialog that takes focus; Enter stays, Escape stays too: someone is
// there). Without an answer the step being filled in is saved first, then the resident is logged
// out and told so. Without JavaScript the session simply ends on the server.
(function () {
  "use strict";
  var body = document.body;
  var endsIn = parseInt(body.getAttribute("data-session-ends-in") || "0", 10);
  var dialog = document.getElementById("idle-dialog");
  if (!endsIn || !dialog || typeof dialog.showModal !== "function") return;

  var WARN = parseInt(body.getAttribute("data-session-warn-before") || "60", 10) * 1000;
  var SAVE_BEFORE = 8 * 1000; // the step is saved this long before the end, while the session holds
  var statusUrl = body.getAttribute("data-session-status-url");
  var stayForm = document.getElementById("idle-stay-form");
  var logoutForm = document.getElementById("idle-logout-form");
  var countdown = document.getElementById("idle-countdown");
  var deadline = Date.now() + endsIn * 1000;
  var warnTimer = null;
  var endTimer = null;
  var tick = null;
  var opener = null;
  var ending = false;

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(check, Math.max(0, deadline - WARN - Date.now()));
    endTimer = setTimeout(finish, Math.max(0, deadline - SAVE_BEFORE - Date.now()));
  }

  function check() {
    // Another tab may have kept the session alive: ask before warning.
    fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (!state.logged_in) { finish(); return; }
        deadline = Date.now() + state.ends_in * 1000;
        if (deadline - Date.now() > WARN + 2000) { schedule(); return; }
        open();
      })
      .catch(open);
  }

  function render() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var time = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
    countdown.textContent = countdown.getAttribute("data-template").replace("{time}", time);
  }

  function open() {
    if (dialog.open || ending) return;
    opener = document.activeElement;
    dialog.showModal();
    document.getElementById("idle-stay").focus();
    render();
    tick = setInterval(render, 1000);
  }

  function close() {
    clearInterval(tick);
    if (dialog.open) dialog.close();
    if (opener && typeof opener.focus === "function") opener.focus();
  }

  function stay() {
    fetch(stayForm.getAttribute("action"), {
      method: "POST",
      body: new FormData(stayForm),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (!state.logged_in) { finish(); return; }
        deadline = Date.now() + state.ends_in * 1000;
        close();
        schedule();
      })
      .catch(finish);
  }

  function finish() {
    if (ending) return;
    ending = true;
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    var step = document.querySelector("form[data-autosave]");
    var saving = Promise.resolve(false);
    if (step) {
      var data = new FormData(step);
      data.set("action", "autosave");
      // getAttribute: the step's buttons are named "action" and would shadow form.action.
      saving = fetch(step.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.ok; })
        .catch(function () { return false; });
    }
    saving.then(function (saved) {
      logoutForm.elements.reason.value = "idle";
      logoutForm.elements.saved.value = saved ? "1" : "0";
      logoutForm.submit();
    });
  }

  stayForm.addEventListener("submit", function (event) { event.preventDefault(); stay(); });
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); stay(); });
  schedule();
})();
