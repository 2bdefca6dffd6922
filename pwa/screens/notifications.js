// Notifications a user controls: this device's push messages and which e-mails arrive.
import { html, useEffect, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { put } from "../lib/api.js";
import { t } from "../lib/i18n.js";
import { currentSubscription, disablePush, enablePush, isInstalled, isIos, pushSupported } from "../lib/push.js";
import { Feedback, useResource } from "../lib/ui.js";

/** How to allow notifications again once they were blocked, for the phone in hand. */
function BlockedHelp() {
  const steps = isIos() ? "push_help_ios" : /Android/.test(navigator.userAgent) ? "push_help_android" : "push_help_desktop";
  return html`<p>${t("push_blocked")}</p>
    <details open>
      <summary>${t("push_help_title")}</summary>
      <ol>${t(steps).split("|").map((step) => html`<li key=${step}>${step}</li>`)}</ol>
    </details>`;
}

export function PushSetting() {
  const [state, setState] = useState("checking");
  useEffect(() => {
    // iPhones offer notifications only to apps opened from the home screen.
    if (isIos() && !isInstalled()) return setState("install_first");
    if (!pushSupported()) return setState("unsupported");
    if (Notification.permission === "denied") return setState("blocked");
    // "default": never asked, or the question was dismissed; the button asks again.
    currentSubscription().then((subscription) => setState(subscription ? "on" : "off"), () => setState("off"));
  }, []);
  const [failure, setFailure] = useState("");
  const turnOn = async () => {
    setFailure("");
    setState("busy");
    try {
      const permission = await enablePush();
      setState({ granted: "on", denied: "blocked" }[permission] || "off");
    } catch (error) {
      setFailure(error.code === "push_timeout" ? t("push_timeout") : error.code === "offline" ? error.message : t("push_failed"));
      setState("off");
    }
  };
  const turnOff = async () => {
    await disablePush().catch(() => {});
    setState("off");
  };
  return html`<section class="card" aria-labelledby="push">
    <h2 id="push">${t("push_title")}</h2>
    ${state === "install_first" && html`<p>${t("push_install_first")}</p><p><a href="/install">${t("install_title")}</a></p>`}
    ${state === "unsupported" && html`<p>${t("push_unsupported")}</p><p><a href="/install">${t("install_title")}</a></p>`}
    ${state === "blocked" && html`<${BlockedHelp} />`}
    ${(state === "off" || state === "busy") && html`<button onClick=${turnOn} disabled=${state === "busy"} aria-busy=${state === "busy" ? "true" : undefined}>
      ${state === "busy" ? t("push_turning_on") : t("push_on")}</button>`}
    ${state === "busy" && html`<p class="meta" role="status">${t("push_waiting")}</p>`}
    ${failure && html`<p class="error" role="alert">${failure}</p>`}
    ${state === "on" && html`<p class="ok" role="status">${t("push_enabled")}</p>
      <button class="secondary" onClick=${turnOff}>${t("push_off")}</button>`}
    ${!isInstalled() && !["install_first", "unsupported"].includes(state) && html`<p><a href="/install">${t("install_title")}</a></p>`}
  </section>`;
}

/** Adding the app to the home screen, step by step for iPhone and Android (and the
 * browser's own install button where it offers one). */
export function InstallGuide({ loggedIn = false }) {
  const [prompt, setPrompt] = useState(null);
  useEffect(() => {
    const keep = (event) => {
      event.preventDefault();
      setPrompt(event);
    };
    window.addEventListener("beforeinstallprompt", keep);
    return () => window.removeEventListener("beforeinstallprompt", keep);
  }, []);
  const steps = (key) => html`<ol>${t(key).split("|").map((step) => html`<li key=${step}>${step}</li>`)}</ol>`;
  return html`<h1>${t("install_title")}</h1>
    <p>${t("install_intro")}</p>
    ${isInstalled() && html`<p class="ok" role="status">${t("install_done")}</p>`}
    ${prompt && html`<p><button onClick=${() => prompt.prompt().then(() => setPrompt(null))}>${t("install_now")}</button></p>`}
    <section class="card" aria-labelledby="install-ios"><h2 id="install-ios">${t("install_ios_title")}</h2>${steps("install_ios")}</section>
    <section class="card" aria-labelledby="install-android"><h2 id="install-android">${t("install_android_title")}</h2>${steps("install_android")}</section>
    <p><a href=${loggedIn ? "/account" : "/login"}>${loggedIn ? t("back") : t("login")}</a></p>`;
}

export function EmailSettings() {
  const { data } = useResource("/me/notifications");
  // After a change: the settings as the server answered.
  const [changed, setSettings] = useState(null);
  const [error, setError] = useState("");
  // The setting just saved: its "saved" text shows until the next change.
  const [saved, setSaved] = useState("");
  const settings = changed || data;
  if (!settings || settings.length === 0) return null;
  const toggle = async (kind, enabled) => {
    setError("");
    setSaved("");
    try {
      setSettings(await put(`/me/notifications/${kind}`, { enabled }));
      setSaved(kind);
    } catch (failure) {
      // Show the setting as it still is.
      setSettings([...settings]);
      setError(failure.message);
    }
  };
  return html`<section class="card" aria-labelledby="emails">
    <h2 id="emails">${t("emails")}</h2>
    ${settings.map((setting) => html`<label class="check" key=${setting.kind}>
      <input type="checkbox" checked=${setting.enabled} disabled=${!setting.can_change}
        onChange=${(event) => toggle(setting.kind, event.target.checked)} />
      ${t(`email_kind.${setting.kind}`)}</label>`)}
    <${Feedback} error=${error} ok=${saved && t("saved")} />
  </section>`;
}

