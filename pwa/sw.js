// Service worker: the app shell from the cache (offline start), API reads network-first
// with the last answer as offline fallback, push notifications and their clicks.
// A new version installs beside the old one and takes over only when the page asks
// (the "new version" banner), so an open session is never switched mid-way.

// Filled in by the server from the contents of the app's files (src/web_app.rs).
const VERSION = "__APP_VERSION__";
const SHELL_CACHE = `shell-${VERSION}`;
const API_CACHE = "api";
// Filled in by the server with every file of the app (and "/" for the shell).
const SHELL = [/*__APP_FILES__*/];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

async function networkFirstApi(request) {
  const cache = await caches.open(API_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (!cached) throw error;
    const headers = new Headers(cached.headers);
    headers.set("X-Served-From-Cache", "1");
    return new Response(await cached.blob(), { status: cached.status, headers });
  }
}

async function shellFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  if (request.mode === "navigate") {
    // Every page of the app is the same shell; fresh when online, cached when not.
    try {
      const response = await fetch(request);
      if (response.ok && response.headers.get("content-type")?.includes("text/html")) return response;
      return (await cache.match("/")) || response;
    } catch {
      return cache.match("/");
    }
  }
  return (await cache.match(request)) || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || request.method !== "GET") return;
  if (url.pathname.startsWith("/api/")) {
    // Files, the console and calendar feeds (for calendar apps) are not kept offline.
    if (url.pathname.includes("/attachments/") || url.pathname.startsWith("/api/docs") || url.pathname.startsWith("/api/agenda/feed/")) return;
    // Photos: only thumbnails are kept (an album opened once shows its grid offline).
    if (url.pathname.startsWith("/api/photos/") && !url.pathname.includes("/thumb/")) return;
    event.respondWith(networkFirstApi(request));
    return;
  }
  if (url.pathname === "/unsubscribe" || url.pathname.startsWith("/unsubscribe.")) return;
  event.respondWith(shellFirst(request));
});

self.addEventListener("push", (event) => {
  let notice = {};
  try {
    notice = event.data ? event.data.json() : {};
  } catch {
    notice = { title: event.data?.text() };
  }
  const url = notice.url || (notice.post_id ? `/posts/${notice.post_id}` : "/");
  event.waitUntil(self.registration.showNotification(notice.title || "Schoolgate", {
    body: notice.body || "",
    icon: "/icons/icon-192.png",
    badge: "/icons/favicon-48.png",
    // An answer in a conversation has its own tag: it does not replace the post's notice.
    tag: notice.tag || (notice.post_id ? `post-${notice.post_id}` : undefined),
    renotify: Boolean(notice.post_id) && notice.kind === "urgent",
    requireInteraction: notice.kind === "urgent",
    data: { url },
  }));
});

/** Focuses a window showing the notification's post, or shows it in an open window, or
 * opens a new one. */
async function openNotification(notification) {
  notification.close();
  const target = new URL(notification.data?.url || "/", self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const showing = windows.find((client) => client.url === target);
  // Focusing is allowed on a real click; anywhere else it may be refused, which is fine.
  if (showing) return showing.focus().catch(() => showing);
  const open = windows.find((client) => {
    const url = new URL(client.url);
    return url.origin === self.location.origin && !url.pathname.startsWith("/api/");
  });
  if (open) {
    await open.focus().catch(() => null);
    // navigate() only works for windows this worker controls.
    const moved = await open.navigate(target).catch(() => null);
    if (moved) return moved;
  }
  return self.clients.openWindow(target);
}

self.addEventListener("notificationclick", (event) => {
  event.waitUntil(openNotification(event.notification));
});
