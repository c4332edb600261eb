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
