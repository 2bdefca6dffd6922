// Talking to the server: JSON in and out, the session cookie, the CSRF token on writes, and
// errors as { status, code, message }. The service worker answers reads from its cache when
// the network is gone and marks such answers with `X-Served-From-Cache`.

import { errorText } from "./i18n.js";

let csrfToken = "";
const offlineListeners = new Set();
let onSessionEnded = () => {};

/** Called when the server says the session is gone (expired, logged out elsewhere). */
export function onUnauthenticated(listener) {
  onSessionEnded = listener;
}

export function setCsrfToken(token) {
  csrfToken = token || "";
}

export function onOfflineChange(listener) {
  offlineListeners.add(listener);
  return () => offlineListeners.delete(listener);
}

function reportOffline(offline) {
  for (const listener of offlineListeners) listener(offline);
}

const notKeptListeners = new Set();

/** Whether the screen shown offline has nothing kept to show. */
export function onNotKeptChange(listener) {
  notKeptListeners.add(listener);
  return () => notKeptListeners.delete(listener);
}

export function reportNotKept(missing) {
  for (const listener of notKeptListeners) listener(missing);
}

class ApiError extends Error {
  constructor(status, code, message, field) {
    super(errorText({ code, message }));
    this.status = status;
    this.code = code;
    // The request field it is about (e.g. `emergency_contacts[1].phone`), for the form.
    this.field = field;
  }
}

export async function api(method, path, body) {
  // The app's header: a post opened by the app counts as read, one opened by a link from
  // elsewhere does not.
  const headers = { Accept: "application/json", "X-Schoolgate-App": "1" };
  // A form with files goes as multipart (the browser writes its Content-Type).
  const multipart = body instanceof FormData;
  if (body !== undefined && !multipart) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  let response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined || multipart ? body : JSON.stringify(body),
    });
  } catch {
    reportOffline(true);
    throw new ApiError(0, "offline", "offline");
  }
  reportOffline(response.headers.get("X-Served-From-Cache") === "1");
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  // Before the caller hears of it, so the cached data is gone before any screen changes.
  if (response.status === 401 && !path.startsWith("/auth/")) await onSessionEnded();
  if (!response.ok) {
    throw new ApiError(response.status, data?.code || "error", data?.message || response.statusText, data?.field);
  }
  return data;
}

/** Whether API answers are kept for offline use (someone was logged in on this device). */
export async function hasCachedData() {
  return "caches" in window && (await caches.has("api"));
}

/** Forgets the API answers kept for offline use (they belong to the account that read them). */
export async function forgetCachedData() {
  if ("caches" in window) await caches.delete("api");
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body ?? {});
export const put = (path, body) => api("PUT", path, body ?? {});
export const patch = (path, body) => api("PATCH", path, body ?? {});

/** Sends a form with a file and reports how much of it went up (`onProgress(0..1)`): fetch
 * cannot tell upload progress, XMLHttpRequest can. Answers like `api`. */
export function uploadWithProgress(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api${path}`);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-Schoolgate-App", "1");
    request.setRequestHeader("X-CSRF-Token", csrfToken);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onerror = () => reject(new ApiError(0, "offline", "offline"));
    request.onload = async () => {
      let data = null;
      try { data = JSON.parse(request.responseText); } catch { /* not JSON */ }
      if (request.status === 401) await onSessionEnded();
      if (request.status >= 200 && request.status < 300) resolve(data);
      else reject(new ApiError(request.status, data?.code || "error", data?.message || request.statusText, data?.field));
    };
    request.send(form);
  });
}
