// Progressive enhancement only: every page works without this file.
// The BankID waiting page: ask the server every second for the status, the text and the QR code
// of that second (the server asks BankID at most every 2 s), and go on when the login is done.
(function () {
  "use strict";
  var box = document.getElementById("bankid-login");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var message = document.getElementById("bankid-message");
  var qr = document.getElementById("bankid-qr");
  var stopped = false;

  function tick() {
    if (stopped) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.status === "pending") {
          if (message && body.message && message.textContent !== body.message) { message.textContent = body.message; }
          if (qr && body.qr) { qr.innerHTML = body.qr; qr.setAttribute("data-qr", body.qrData || ""); }
          window.setTimeout(tick, 1000);
        } else {
          stopped = true;
          if (message && body.message) { message.textContent = body.message; }
          window.location.assign(body.next);
        }
      })
      .catch(function () { window.setTimeout(tick, 2000); });
  }
  window.setTimeout(tick, 1000);
}());

// Form steps: show a question as soon as the answer it depends on is given (data-show-if holds the
// same condition the server evaluates; without this script the question appears after saving).
(function () {
  "use strict";
  var form = document.querySelector("form[enctype='multipart/form-data']");
  if (!form) { return; }
  var dependent = form.querySelectorAll("[data-show-if]");
  if (!dependent.length) { return; }

  function value(name) {
    var checked = form.querySelector("input[name='" + name + "']:checked");
    if (checked) { return checked.value; }
    var field = form.querySelector("[name='" + name + "']:not([type=radio])");
    return field ? field.value : "";
  }

  function holds(condition) { return FickanConditions.holds(condition, value); }

  // Only conditions on questions of this page are decided here; the server decided the others.
  function onPage(condition) {
    if (condition.all || condition.any) { return (condition.all || condition.any).every(onPage); }
    return !!form.querySelector("[name='" + condition.question + "']");
  }

  function update() {
    Array.prototype.forEach.call(dependent, function (element) {
      var condition = JSON.parse(element.getAttribute("data-show-if"));
      if (onPage(condition)) { element.hidden = !holds(condition); }
    });
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
}());
