// Progressive enhancement only: every page works without this file (reload to see what is new).
// 1. Live pages (inbox, overview, the case): follow the resident's feed as Server-Sent Events and,
//    when something happens, fetch the page again and swap its content, telling screen readers.
// 2. The notifications page: the "turn on notifications" button registers this browser for Web Push.
// 3. Every page: register the service worker that shows pushes (it caches nothing).
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-live-url");
  var content = document.getElementById("live-content");
  var status = document.getElementById("live-status");
  var lang = document.documentElement.lang === "en" ? "en" : "sv";
  var words = {
    sv: { message: "Sidan har uppdaterats: nytt meddelande", case_changed: "Sidan har uppdaterats: ärendet har ändrats" },
    en: { message: "The page has been updated: new message", case_changed: "The page has been updated: the case has changed" }
  };
  if (!url || !window.EventSource || !content || !window.fetch || !window.DOMParser) { return; }

  var refreshing = false;
  var again = false;

  // Someone typing in a form on this page keeps what they typed: the page waits for them.
  function busy() {
    var active = document.activeElement;
    return active && content.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) &&
      active.type !== "submit" && active.type !== "button";
  }

  function refresh(kind) {
    if (refreshing) { again = true; return; }
    if (busy()) { window.setTimeout(function () { refresh(kind); }, 2000); return; }
    refreshing = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live-content");
        if (!fresh) { return; }
        content.innerHTML = fresh.innerHTML;
        if (status) { status.textContent = words[lang][kind] || words[lang].message; }
      })
      .catch(function () { /* the next event or a reload shows it */ })
      .then(function () {
        refreshing = false;
        if (again) { again = false; refresh(kind); }
      });
  }

  var source = new EventSource(url);
  source.addEventListener("message", function () { refresh("message"); });
  source.addEventListener("case_changed", function () { refresh("case_changed"); });
}());

(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) { return; }
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* no push then */ });
}());

(function () {
  "use strict";
  var panel = document.getElementById("push-panel");
  if (!panel) { return; }
  var button = document.getElementById("push-enable");
  var state = document.getElementById("push-state");
  var unsupported = document.getElementById("push-unsupported");
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !window.fetch) { return; }
  unsupported.hidden = true;
  button.hidden = false;
  var lang = document.documentElement.lang === "en" ? "en" : "sv";
  var words = {
    sv: { denied: "Webbläsaren tillåter inte aviseringar. Ändra det i webbläsarens inställningar.",
          failed: "Det gick inte att slå på aviseringar. Försök igen." },
    en: { denied: "The browser does not allow notifications. Change that in the browser's settings.",
          failed: "Notifications could not be turned on. Please try again." }
  };

  function key(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  function b64(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i += 1) { text += String.fromCharCode(bytes[i]); }
    return window.btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { throw new Error("denied"); }
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: key(panel.getAttribute("data-vapid-key"))
      });
    }).then(function (subscription) {
      var form = new FormData();
      var csrf = document.querySelector("input[name='csrf_token']");
      if (csrf) { form.append("csrf_token", csrf.value); }
      form.append("endpoint", subscription.endpoint);
      form.append("p256dh", b64(subscription.getKey("p256dh")));
      form.append("auth", b64(subscription.getKey("auth")));
      return fetch(panel.getAttribute("data-register-url"), { method: "POST", body: form, credentials: "same-origin" });
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) { throw new Error(answer.error || "failed"); }
        state.textContent = answer.message;
      });
    }).catch(function (error) {
      state.textContent = error && error.message === "denied" ? words[lang].denied : words[lang].failed;
      button.disabled = false;
    });
  });
}());
