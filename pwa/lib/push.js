// Web Push on this device: only after the user presses the button, never on page load.
import { get, post, api } from "./api.js";

export function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

export async function currentSubscription() {
  if (!pushSupported()) return null;
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

/** How long the browser's push service and our server get to answer, once allowed. */
export const PUSH_TIMEOUT_MS = 8000;

/** An iPhone or iPad: there, web apps get notifications only from the home screen. */
export function isIos() {
  return /iPhone|iPad|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
}

/** Opened from the home screen (installed), not in a browser tab. */
export function isInstalled() {
  return window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
}

/** Asks for permission, subscribes and tells the server. Returns the permission state;
 * fails with `code` "push_timeout" when the push service or server does not answer. */
export async function enablePush() {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return permission;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("push_timeout"), { code: "push_timeout" })), PUSH_TIMEOUT_MS);
  });
  try {
    await Promise.race([subscribe(), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return "granted";
}

async function subscribe() {
  const registration = await navigator.serviceWorker.ready;
  const { public_key } = await get("/push/public-key");
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(public_key),
    });
  }
  const json = subscription.toJSON();
  await post("/push/subscriptions", { endpoint: json.endpoint, keys: json.keys });
}

/** Stops notifications on this device. Unless `serverMustKnow`, also when the server cannot
 * be told now: it drops the subscription itself once the push service reports it gone. */
export async function disablePush({ serverMustKnow = false } = {}) {
  const subscription = await currentSubscription();
  if (!subscription) return;
  await api("DELETE", "/push/subscriptions", { endpoint: subscription.endpoint }).catch((failure) => {
    if (serverMustKnow && failure.code === "offline") throw failure;
  });
  await subscription.unsubscribe();
}
