// What every screen uses: loading data, showing that it loads or failed, sending forms.
import { html, useEffect, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { get, reportNotKept } from "./api.js";
import { t } from "./i18n.js";

/** Loads `path`; re-loads when `path` or `version` changes, and when the connection is back
 * after it failed offline. Offline with nothing kept for `path`, `offlineFallback()` may
 * find the data in another kept answer (a post in the cached feed). */
export function useResource(path, version = 0, offlineFallback = null) {
  const [state, setState] = useState({ data: undefined, error: null });
  const [retry, setRetry] = useState(0);
  useEffect(() => {
    // Nothing to load (`path` null): stays undefined.
    if (path === null) return undefined;
    let live = true;
    get(path).then(
      (data) => live && setState({ data, error: null }),
      async (error) => {
        const found = error.code === "offline" && offlineFallback ? await offlineFallback().catch(() => undefined) : undefined;
        if (live) setState(found === undefined ? { data: null, error } : { data: found, error: null });
      },
    );
    return () => { live = false; };
  }, [path, version, retry]);
  // Pulled down to refresh: every screen's data loads again.
  useEffect(() => {
    const again = () => setRetry((n) => n + 1);
    window.addEventListener("app-refresh", again);
    return () => window.removeEventListener("app-refresh", again);
  }, []);
  useEffect(() => {
    if (state.error?.code !== "offline") return;
    const again = () => setRetry((n) => n + 1);
    window.addEventListener("online", again);
    // The "online" event can come before requests get through again: keep trying while the
    // browser says it is online.
    const timer = setInterval(() => navigator.onLine && again(), 3000);
    return () => {
      window.removeEventListener("online", again);
      clearInterval(timer);
    };
  }, [state.error]);
  return state;
}

/** Offline with nothing kept for this screen: the offline banner says so (one message). */
function NotKeptOffline() {
  useEffect(() => {
    reportNotKept(true);
    return () => reportNotKept(false);
  }, []);
  return null;
}

/** Loading, or why the data is not there. */
export function Status({ error }) {
  if (error?.code === "offline") return html`<${NotKeptOffline} />`;
  if (error) return html`<p class="error" role="alert">${error.message}</p>`;
  return html`<p class="meta" role="status">${t("loading")}</p>`;
}

/** A form's outcome: what went wrong, or what was done. */
export function Feedback({ ok, error }) {
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  return ok ? html`<p class="ok" role="status">${ok}</p>` : null;
}

/** Runs `action(fields, form)` when the form is sent: `busy` meanwhile (for disabling its
 * button, so a double tap sends once), then `ok` (the given text) or `error` (the message). */
export function useSubmit(action, okText = "") {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState({});
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setOutcome({});
    try {
      await action(new FormData(event.target), event.target);
      setOutcome({ ok: true });
    } catch (failure) {
      setOutcome({ error: failure.message || t("login_failed") });
    } finally {
      setBusy(false);
    }
  };
  // The "saved" text of this render: in the new language right after a language change.
  return { busy, ok: outcome.ok ? okText : undefined, error: outcome.error, submit };
}

/** How far a finger must pull down from the top before the screen reloads. */
const PULL_DISTANCE = 80;

/** Pull-to-refresh on touch screens: pulled down from the top of the page, the screen's data
 * loads again (`app-refresh`). Returns whether a pull is under way, for its indicator. */
export function usePullToRefresh() {
  const [pulling, setPulling] = useState(false);
  useEffect(() => {
    let startY = null;
    let far = false;
    const start = (event) => {
      startY = window.scrollY <= 0 && event.touches.length === 1 ? event.touches[0].clientY : null;
      far = false;
    };
    const move = (event) => {
      if (startY === null) return;
      far = event.touches[0].clientY - startY > PULL_DISTANCE;
      setPulling(far);
    };
    const end = () => {
      if (far) {
        window.dispatchEvent(new Event("app-refresh"));
        // The conversations count and anything else listening reload too.
        window.dispatchEvent(new Event("conversations-changed"));
      }
      startY = null;
      far = false;
      setPulling(false);
    };
    window.addEventListener("touchstart", start, { passive: true });
    window.addEventListener("touchmove", move, { passive: true });
    window.addEventListener("touchend", end);
    return () => {
      window.removeEventListener("touchstart", start);
      window.removeEventListener("touchmove", move);
      window.removeEventListener("touchend", end);
    };
  }, []);
  return pulling;
}
