// My account (details, language, e-mails, this device's notifications, password) and my
// children with their emergency numbers.
import { html, useEffect, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { patch, post, put } from "../lib/api.js";
import { LANGUAGES, t } from "../lib/i18n.js";
import { currentSubscription, disablePush, enablePush, pushSupported } from "../lib/push.js";
import { Feedback, Status, useResource, useSubmit } from "../lib/ui.js";

function PushSetting() {
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

function EmailSettings() {
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

export function Account({ user, onUser, onLogout }) {
  const [logoutError, setLogoutError] = useState("");
  const logout = async () => {
    try {
      await onLogout();
    } catch (failure) {
      setLogoutError(failure.message);
    }
  };
  const profile = useSubmit(async (form) => {
    const me = await patch("/me", {
      first_name: form.get("first_name"),
      last_name: form.get("last_name"),
      // Empty clears the field.
      phone: form.get("phone"),
      address: form.get("address"),
      language: form.get("language"),
    });
    onUser(me);
  }, t("saved"));
  const password = useSubmit(async (form, element) => {
    await post("/me/password", {
      current_password: form.get("current_password"),
      new_password: form.get("new_password"),
      new_password_repeat: form.get("new_password_repeat"),
    });
    element.reset();
  }, t("saved"));
  return html`<h1>${t("account")}</h1>
    <${PushSetting} />
    <section class="card" aria-labelledby="profile">
      <h2 id="profile">${t("profile")}</h2>
      <form onSubmit=${profile.submit}>
        <label>${t("first_name")}<input name="first_name" defaultValue=${user.first_name} autocomplete="given-name" required /></label>
        <label>${t("last_name")}<input name="last_name" defaultValue=${user.last_name} autocomplete="family-name" required /></label>
        <label>${t("phone")}<input name="phone" type="tel" defaultValue=${user.phone || ""} autocomplete="tel" /></label>
        <label>${t("address")}<input name="address" defaultValue=${user.address || ""} autocomplete="street-address" /></label>
        <label>${t("language")}<select name="language">
          ${Object.entries(LANGUAGES).map(([code, name]) => html`<option value=${code} defaultSelected=${user.language === code}>${name}</option>`)}
        </select></label>
        <${Feedback} ok=${profile.ok} error=${profile.error} />
        <button type="submit" disabled=${profile.busy}>${t("save")}</button>
      </form>
    </section>
    <${EmailSettings} />
    <section class="card" aria-labelledby="password">
      <h2 id="password">${t("change_password")}</h2>
      <form onSubmit=${password.submit}>
        <input type="hidden" name="username" autocomplete="username" value=${user.email} />
        <label>${t("current_password")}<input name="current_password" type="password" autocomplete="current-password" required /></label>
        <label>${t("new_password")}<input name="new_password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="account-password-rules" /></label>
        <label>${t("repeat_password")}<input name="new_password_repeat" type="password" autocomplete="new-password" required minlength="8" /></label>
        <p class="meta" id="account-password-rules">${t("password_rules")}</p>
        <${Feedback} ok=${password.ok} error=${password.error} />
        <button type="submit" disabled=${password.busy}>${t("change_password")}</button>
      </form>
    </section>
    <p class="meta">${user.email}</p>
    <${Feedback} error=${logoutError} />
    <button class="secondary" onClick=${logout}>${t("logout")}</button>`;
}

export function Children() {
  const { data, error } = useResource("/children");
  if (!data) return html`<${Status} error=${error} />`;
  return html`<h1>${t("children")}</h1>
    ${data.length === 0 && html`<p class="meta">${t("nothing_yet")}</p>`}
    ${data.map((child) => html`<a class="card" key=${child.id} href=${`/children/${child.id}`}>
      <h2>${child.first_name} ${child.last_name}</h2>
      <p class="meta">${child.group_name ? `${t("group")} ${child.group_name}` : ""}</p></a>`)}`;
}

export function ChildPage({ id }) {
  const { data: child, error } = useResource(`/children/${id}`);
  const [contacts, setContacts] = useState(null);
  useEffect(() => { if (child) setContacts(child.emergency_contacts); }, [child]);
  const save = useSubmit(async () => {
    const saved = await patch(`/children/${id}`, {
      emergency_contacts: contacts.map((c) => ({ name: c.name, phone: c.phone, relation: c.relation || undefined })),
    });
    setContacts(saved.emergency_contacts);
  }, t("saved"));
  if (!child || !contacts) return html`<${Status} error=${error} />`;
  const change = (index, field, value) => setContacts(contacts.map((c, i) => (i === index ? { ...c, [field]: value } : c)));
  const editable = child.can_edit;
  return html`<h1>${child.first_name} ${child.last_name}</h1>
    <p class="meta">${child.group_name ? `${t("group")} ${child.group_name}` : ""}</p>
    <section class="card" aria-labelledby="emergency">
      <h2 id="emergency">${t("emergency")}</h2>
      ${!editable && html`<p class="meta">${t("read_only")}</p>`}
      <form onSubmit=${save.submit}>
        ${contacts.map((contact, index) => html`<fieldset key=${index}>
          <legend>${contact.name || t("emergency")}</legend>
          <label>${t("name")}<input value=${contact.name} readOnly=${!editable} required onInput=${(e) => change(index, "name", e.target.value)} /></label>
          <label>${t("phone")}<input type="tel" value=${contact.phone} readOnly=${!editable} required onInput=${(e) => change(index, "phone", e.target.value)} /></label>
          <label>${t("relation")}<input value=${contact.relation || ""} readOnly=${!editable} onInput=${(e) => change(index, "relation", e.target.value)} /></label>
          ${editable && html`<button type="button" class="secondary" onClick=${() => setContacts(contacts.filter((_, i) => i !== index))}>${t("remove")}</button>`}
        </fieldset>`)}
        ${editable && html`<div class="row">
          <button type="button" class="secondary" onClick=${() => setContacts([...contacts, { name: "", phone: "", relation: "" }])}>${t("add_contact")}</button>
          <button type="submit" disabled=${save.busy}>${t("save")}</button></div>`}
        <${Feedback} ok=${save.ok} error=${save.error} />
      </form>
    </section>
    <p><a href="/children">${t("back")}</a></p>`;
}
