// History-API routing: links inside the app change the URL without a page load.
import { useEffect, useState } from "../vendor/htm-preact-3.1.1.mjs";

const listeners = new Set();

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

export function useLocation() {
  const [location, setLocation] = useState(() => ({ path: window.location.pathname, hash: window.location.hash }));
  useEffect(() => {
    const update = () => setLocation({ path: window.location.pathname, hash: window.location.hash });
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return location;
}

/** Same-origin links without a target open inside the app. */
export function interceptLinks() {
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[href]");
    if (!link || link.target || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname.startsWith("/api/")) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}

/** The token of a one-time link (`…#token=…`). */
export function tokenFromHash(hash) {
  return new URLSearchParams((hash || "").replace(/^#/, "")).get("token") || "";
}
