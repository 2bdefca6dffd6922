// Notifications a user controls: this device's push messages and which e-mails arrive.
import { html, useEffect, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { put } from "../lib/api.js";
import { t } from "../lib/i18n.js";
import { currentSubscription, disablePush, enablePush, pushSupported } from "../lib/push.js";
import { Feedback, useResource } from "../lib/ui.js";

export function PushSetting() {
  const [state, setState] = useState("checking");
  useEffect(() => {
    if (!pushSupported()) return setState("unsupported");
    if (Notification.permission === "denied") return setState("blocked");
    // "default": never asked, or the question was dismissed; the button asks again.
    currentSubscription().then((subscription) => setState(subscription ? "on" : "off"), () => setState("off"));
  }, []);
  const [failed, setFailed] = useState(false);
  const turnOn = async () => {
    setFailed(false);
    try {
      const permission = await enablePush();
      setState({ granted: "on", denied: "blocked" }[permission] || "off");
    } catch {
      setFailed(true);
      setState("off");
    }
  };
  const turnOff = async () => {
    await disablePush().catch(() => {});
    setState("off");
  };
  return html`<section class="card" aria-labelledby="push">
    <h2 id="push">${t("push_title")}</h2>
    ${state === "unsupported" && html`<p>${t("push_unsupported")}</p>`}
    ${state === "blocked" && html`<p>${t("push_blocked")}</p>`}
    ${state === "off" && html`<button onClick=${turnOn}>${t("push_on")}</button>`}
    ${failed && html`<p class="error" role="alert">${t("push_failed")}</p>`}
    ${state === "on" && html`<p class="ok" role="status">${t("push_enabled")}</p>
      <button class="secondary" onClick=${turnOff}>${t("push_off")}</button>`}
  </section>`;
}

export function EmailSettings() {
  const { data } = useResource("/me/notifications");
  // After a change: the settings as the server answered.
  const [changed, setSettings] = useState(null);
  const [error, setError] = useState("");
  const settings = changed || data;
  if (!settings) return null;
  const toggle = async (kind, enabled) => {
    setError("");
    try {
      setSettings(await put(`/me/notifications/${kind}`, { enabled }));
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
    <${Feedback} error=${error} />
  </section>`;
}

