// Fickan's service worker: shows a push (which only says there is news) and opens the right page
// when it is tapped. It caches nothing and answers no request itself, so personal pages are never
// kept on the device.
"use strict";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  var title = data.title || "Fickan";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    // One notice per message: a repeated push replaces it instead of adding a second.
    tag: data.tag || "fickan",
    icon: "/static/icon-192.png",
    data: { url: data.url || "/inkorg" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/inkorg", self.location.origin);
  if (target.origin !== self.location.origin) { target = new URL("/inkorg", self.location.origin); }
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (open) {
    for (var i = 0; i < open.length; i += 1) {
      if (open[i].url === target.href && "focus" in open[i]) { return open[i].focus(); }
    }
    return self.clients.openWindow(target.href);
  }));
});
