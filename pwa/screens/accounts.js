// Accounts: logging in, activating an account from the letter or e-mail, resetting a
// password, and my account (details, language, notifications, password, logout).
import { html, useEffect, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { api, forgetCachedData, get, patch, post, put } from "../lib/api.js";
import { LANGUAGES, t } from "../lib/i18n.js";
import { navigate, tokenFromHash } from "../lib/router.js";
import { Feedback, Status, useSubmit } from "../lib/ui.js";
import { EmailSettings, PushSetting } from "./notifications.js";
import { PhotoPicker } from "./directory.js";
import { school } from "../lib/school.js";

/** Where to go after logging in: the page a link asked for, or home. */
function takeReturnPath() {
  const path = sessionStorage.getItem("return-to") || "/";
  sessionStorage.removeItem("return-to");
  return path.startsWith("/") && !path.startsWith("//") ? path : "/";
}

function Brand({ title }) {
  return html`<div class="brand">
    <img src=${school.logo_url || "/icons/icon-192.png"} alt="" width="72" height="72" />
    ${school.name && html`<p class="school-name">${school.name}</p>`}
    <h1>${title}</h1>
  </div>`;
}

export function Login({ onUser }) {
  // Set when the server ended the session (idle, logged out elsewhere), so the user knows
  // why the login screen is back.
  const [ended] = useState(() => sessionStorage.getItem("session-ended") === "1");
  // Accounts with two-step login: the password was right, now the app's code.
  const [needsCode, setNeedsCode] = useState(false);
  const { busy, error, submit } = useSubmit(async (form) => {
    const code = form.get("code");
    try {
      await post("/auth/login", { email: form.get("email"), password: form.get("password"), code: code || undefined });
    } catch (failure) {
      if (failure.code === "two_factor_required") {
        setNeedsCode(true);
        return;
      }
      throw failure;
    }
    sessionStorage.removeItem("session-ended");
    await forgetCachedData();
    // Read back through the service worker, so the session is also known offline.
    onUser((await get("/auth/session")).user);
    navigate(takeReturnPath(), { replace: true });
  });
  return html`<div class="center">
    <${Brand} title=${t("login")} />
    <form onSubmit=${submit}>
      ${ended && !error && !needsCode ? html`<p class="ok" role="status">${t("session_ended")}</p>` : null}
      <label>${t("email")}<input name="email" type="email" autocomplete="username" required readOnly=${needsCode} /></label>
      <label>${t("password")}<input name="password" type="password" autocomplete="current-password" required readOnly=${needsCode} /></label>
      ${needsCode ? html`<label>${t("code_label")}<input name="code" autocomplete="one-time-code" required autoFocus
          aria-describedby="code-hint" maxlength="32" autocapitalize="off" spellcheck="false" /></label>
        <p class="meta" id="code-hint">${t("code_hint")}</p>` : null}
      <${Feedback} error=${error} />
      <button type="submit" disabled=${busy}>${t("login")}</button>
      <a href="/forgot-password">${t("forgot")}</a>
    </form>
  </div>`;
}

export function ForgotPassword() {
  const [sent, setSent] = useState(false);
  const { busy, error, submit } = useSubmit(async (form) => {
    await post("/auth/forgot-password", { email: form.get("email") });
    setSent(true);
  });
  return html`<div class="center">
    <${Brand} title=${t("forgot_title")} />
    ${sent
      ? html`<p class="ok" role="status">${t("forgot_sent")}</p>`
      : html`<form onSubmit=${submit}>
          <p>${t("forgot_intro")}</p>
          <label>${t("email")}<input name="email" type="email" autocomplete="username" required /></label>
          <${Feedback} error=${error} />
          <button type="submit" disabled=${busy}>${t("forgot_send")}</button>
        </form>`}
    <p><a href="/login">${t("back")}</a></p>
  </div>`;
}

function NewPasswordFields() {
  return html`
    <label>${t("new_password")}<input name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="rules" /></label>
    <label>${t("repeat_password")}<input name="password_repeat" type="password" autocomplete="new-password" required minlength="8" /></label>
    <p id="rules" class="meta">${t("password_rules")}</p>`;
}

export function ResetPassword({ hash }) {
  const token = tokenFromHash(hash);
  const [done, setDone] = useState(false);
  // Checked before anyone types: a used or expired link says so at once. "ok", or the reason.
  const [link, setLink] = useState(token ? undefined : { message: t("reset_no_token") });
  useEffect(() => {
    if (token) post("/auth/reset-password/status", { token }).then(() => setLink("ok"), setLink);
  }, [token]);
  const { busy, error, submit } = useSubmit(async (form) => {
    await post("/auth/reset-password", {
      token,
      new_password: form.get("password"),
      new_password_repeat: form.get("password_repeat"),
    });
    setDone(true);
  });
  if (link !== "ok") {
    return html`<div class="center">
      <${Brand} title=${t("reset_title")} />
      ${link === undefined
        ? html`<p class="meta" role="status">${t("loading")}</p>`
        : html`<p class=${token ? "error" : "meta"} role=${token ? "alert" : "status"}>${link.message}</p>
          <p><a class="button" href="/forgot-password">${t("send_new_link")}</a></p>`}
    </div>`;
  }
  return html`<div class="center">
    <${Brand} title=${t("reset_title")} />
    ${done
      ? html`<p class="ok" role="status">${t("reset_done")}</p><p><a class="button" href="/login">${t("login")}</a></p>`
      : html`<form onSubmit=${submit}>
          <${NewPasswordFields} />
          <${Feedback} error=${error} />
          <button type="submit" disabled=${busy}>${t("reset_save")}</button>
        </form>`}
  </div>`;
}

export function Activate({ hash, onUser }) {
  const token = tokenFromHash(hash);
  const [account, setAccount] = useState(undefined);
  useEffect(() => {
    post("/auth/activation/status", { token }).then(setAccount, () => setAccount(null));
  }, [token]);
  const { busy, error, submit } = useSubmit(async (form) => {
    const session = await post("/auth/activate", {
      token,
      password: form.get("password"),
      password_repeat: form.get("password_repeat"),
      consent: form.get("consent") === "on",
      consent_version: account.consent_version,
    });
    await forgetCachedData();
    // Read back through the service worker, so the session is also known offline.
    const known = await get("/auth/session").catch(() => null);
    onUser(known?.user || { ...session.user, csrf_token: session.csrf_token });
    navigate("/", { replace: true });
  });
  if (account === undefined) return html`<${Status} />`;
  if (account === null) {
    return html`<div class="center"><${Brand} title=${t("activate_title")} />
      <p class="error" role="alert">${t("link_invalid")}</p>
      <p><a href="/forgot-password">${t("forgot")}</a></p></div>`;
  }
  return html`<div class="center">
    <${Brand} title=${t("activate_title")} />
    <form onSubmit=${submit}>
      <p>${t("activate_hello", { name: account.first_name, email: account.email })}</p>
      <input type="hidden" name="username" autocomplete="username" value=${account.email} />
      <${NewPasswordFields} />
      <label class="check"><input type="checkbox" name="consent" required />
        <span>${t("consent", { version: account.consent_version })}</span></label>
      <${Feedback} error=${error} />
      <button type="submit" disabled=${busy}>${t("activate_save")}</button>
    </form>
  </div>`;
}

export function Account({ user, onUser, onLogout }) {
  const [logoutError, setLogoutError] = useState("");
  const logout = async (everywhere) => {
    try {
      await onLogout({ everywhere });
    } catch (failure) {
      setLogoutError(failure.message);
    }
  };
  const profile = useSubmit(async (form) => {
    const me = await patch("/me", {
      first_name: form.get("first_name"),
      last_name: form.get("last_name"),
      // Empty clears the field.
      name_prefix: form.get("name_prefix"),
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
    ${user.two_factor_setup_required ? html`<p class="notice" role="alert">${t("two_factor_required_notice")}</p>` : null}
    ${user.role !== "parent" ? html`<${TwoStepLogin} user=${user} onUser=${onUser} />` : null}
    ${user.role === "parent" && html`<${PushSetting} />`}
    ${user.role !== "parent" && !user.two_factor_setup_required && html`<section class="card" aria-labelledby="staff-notices">
      <h2 id="staff-notices">${t("staff_notices_title")}</h2><p>${t("staff_notices")}</p></section>`}
    <section class="card" aria-labelledby="profile">
      <h2 id="profile">${t("profile")}</h2>
      <${PhotoPicker} path="/me/photo" url=${user.photo_url} name=${user.full_name} onChange=${(url) => onUser({ ...user, photo_url: url })} />
      <form onSubmit=${profile.submit}>
        <label>${t("first_name")}<input name="first_name" defaultValue=${user.first_name} autocomplete="given-name" required /></label>
        <label>${t("name_prefix")}<input name="name_prefix" defaultValue=${user.name_prefix || ""} autocomplete="additional-name" /></label>
        <label>${t("last_name")}<input name="last_name" defaultValue=${user.last_name} autocomplete="family-name" required /></label>
        <label>${t("language")}<select name="language">
          ${Object.entries(LANGUAGES).map(([code, name]) => html`<option value=${code} defaultSelected=${user.language === code}>${name}</option>`)}
        </select></label>
        <${Feedback} ok=${profile.ok} error=${profile.error} />
        <button type="submit" disabled=${profile.busy}>${t("save")}</button>
      </form>
    </section>
    <${ContactDetails} />
    <${LoginAddress} user=${user} />
    <section class="card" aria-labelledby="people">
      <h2 id="people">${t("people_title")}</h2>
      <p><a href="/account/privacy">${t("privacy_settings")}</a></p>
      <p><a href="/groups">${t("groups")}</a></p>
    </section>
    ${user.role === "parent" && html`<${EmailSettings} />`}
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
    <section class="card" aria-labelledby="logout">
      <h2 id="logout">${t("logout")}</h2>
      <p class="meta">${t("logged_in_as", { email: user.email })}</p>
      <${Feedback} error=${logoutError} />
      <button class="secondary" onClick=${() => logout(false)}>${t("logout")}</button>
      <p class="meta">${t("logout_everywhere_hint")}</p>
      <button class="secondary" onClick=${() => logout(true)}>${t("logout_everywhere")}</button>
    </section>`;
}

const PHONE_LABELS = ["mobile", "work", "home", "other"];

/** Phone numbers with labels, extra e-mail addresses and the address: one list each,
 * saved together. Who else sees them is the privacy screen's. */
function ContactDetails() {
  const [details, setDetails] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [outcome, setOutcome] = useState({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    get("/me/contact").then(setDetails, setLoadError);
  }, []);
  if (!details) return html`<section class="card"><${Status} error=${loadError} /></section>`;
  const edit = (list, index, key, value) => setDetails({
    ...details,
    [list]: details[list].map((item, i) => (i === index ? { ...item, [key]: value } : item)),
  });
  const add = (list) => setDetails({ ...details, [list]: [...details[list], { label: "mobile", value: "" }] });
  const drop = (list, index) => setDetails({ ...details, [list]: details[list].filter((_, i) => i !== index) });
  const save = async (event) => {
    event.preventDefault();
    setBusy(true);
    setOutcome({});
    try {
      const clean = (items) => items.filter((item) => item.value.trim()).map(({ label, value }) => ({ label, value }));
      setDetails(await put("/me/contact", {
        phones: clean(details.phones),
        extra_emails: clean(details.extra_emails),
        address: details.address || "",
      }));
      setOutcome({ ok: t("saved") });
    } catch (failure) {
      setOutcome({ error: failure.message, field: failure.field });
    } finally {
      setBusy(false);
    }
  };
  const wrong = (list, index) => outcome.field?.startsWith(`${list}[${index}]`);
  const rows = (list, type, autocomplete, fieldName) => details[list].map((item, index) => html`<fieldset key=${`${list}-${index}`}>
    <legend class="visually-hidden">${t(fieldName)} ${index + 1}</legend>
    <label>${t("label")}<select value=${item.label} onChange=${(e) => edit(list, index, "label", e.target.value)}>
      ${PHONE_LABELS.map((label) => html`<option value=${label}>${t(`label_${label}`)}</option>`)}
    </select></label>
    <label>${t(fieldName)}<input type=${type} value=${item.value} autocomplete=${index === 0 ? autocomplete : "off"}
      aria-invalid=${wrong(list, index) ? "true" : undefined} onInput=${(e) => edit(list, index, "value", e.target.value)} /></label>
    <button type="button" class="secondary" onClick=${() => drop(list, index)}>${t("remove")}</button>
  </fieldset>`);
  return html`<section class="card phones" aria-labelledby="contact">
    <h2 id="contact">${t("contact_details")}</h2>
    <form onSubmit=${save}>
      <h3>${t("phones")}</h3>
      ${details.phones.length === 0 && html`<p class="meta">${t("no_phones")}</p>`}
      ${rows("phones", "tel", "tel", "phone")}
      ${details.phones.length < 5 && html`<button type="button" class="secondary" onClick=${() => add("phones")}>${t("add_phone")}</button>`}
      <h3>${t("extra_emails")}</h3>
      <p class="meta">${t("extra_emails_hint")}</p>
      ${rows("extra_emails", "email", "email", "email")}
      ${details.extra_emails.length < 5 && html`<button type="button" class="secondary" onClick=${() => add("extra_emails")}>${t("add_email")}</button>`}
      <label>${t("address")}<input value=${details.address || ""} autocomplete="street-address" onInput=${(e) => setDetails({ ...details, address: e.target.value })} /></label>
      <${Feedback} ok=${outcome.ok} error=${outcome.error} />
      <button type="submit" disabled=${busy}>${t("save")}</button>
    </form>
  </section>`;
}

/** The login address: a new one takes effect when the link sent to it is opened. */
function LoginAddress({ user }) {
  const [pending, setPending] = useState(undefined);
  useEffect(() => {
    get("/me/contact").then((details) => setPending(details.pending_email), () => setPending(null));
  }, []);
  const change = useSubmit(async (form, element) => {
    const answer = await post("/me/email", { new_email: form.get("new_email"), current_password: form.get("current_password") });
    setPending(answer.pending_email);
    element.reset();
  });
  const cancel = async () => {
    await api("DELETE", "/me/email");
    setPending(null);
  };
  return html`<section class="card" aria-labelledby="login-address">
    <h2 id="login-address">${t("login_address")}</h2>
    <p>${t("login_address_now", { email: user.email })}</p>
    ${pending && html`<p class="ok" role="status">${t("email_change_pending", { email: pending })}</p>
      <button type="button" class="secondary" onClick=${cancel}>${t("email_change_cancel")}</button>`}
    <form onSubmit=${change.submit}>
      <input type="hidden" name="username" autocomplete="username" value=${user.email} />
      <label>${t("new_email")}<input name="new_email" type="email" required autocomplete="off" /></label>
      <label>${t("current_password")}<input name="current_password" type="password" autocomplete="current-password" required /></label>
      <p class="meta">${t("email_change_hint")}</p>
      <${Feedback} error=${change.error} />
      <button type="submit" disabled=${change.busy}>${t("email_change_send")}</button>
    </form>
  </section>`;
}

/** The link from the new address's mail: confirms it as the login. */
export function ConfirmEmail({ hash }) {
  const token = tokenFromHash(hash);
  const [result, setResult] = useState(undefined);
  useEffect(() => {
    post("/auth/confirm-email", { token }).then(
      (answer) => setResult({ email: answer.email }),
      (failure) => setResult({ error: failure.message }),
    );
  }, [token]);
  return html`<div class="center">
    <${Brand} title=${t("confirm_email_title")} />
    ${result === undefined ? html`<${Status} />`
      : result.error ? html`<p class="error" role="alert">${result.error}</p>`
      : html`<p class="ok" role="status">${t("confirm_email_done", { email: result.email })}</p>`}
    <p><a class="button" href="/">${t("to_home")}</a></p>
  </div>`;
}

/** Two-step login for staff: set up with an authenticator app, recovery codes, turn off. */
function TwoStepLogin({ user, onUser }) {
  const [status, setStatus] = useState(null);
  const [setup, setSetup] = useState(null);
  const [recoveryCodes, setRecoveryCodes] = useState(null);
  const [startError, setStartError] = useState("");
  const load = () => get("/me/two-factor").then(setStatus).catch(() => setStatus(null));
  useEffect(() => { load(); }, []);

  const start = async () => {
    setStartError("");
    try {
      setSetup(await post("/me/two-factor/setup"));
    } catch (failure) {
      setStartError(failure.message);
    }
  };
  const turnOn = useSubmit(async (form) => {
    const answer = await post("/me/two-factor/enable", { code: form.get("code") });
    setSetup(null);
    setRecoveryCodes(answer.recovery_codes);
  });
  const turnOff = useSubmit(async (form) => {
    await post("/me/two-factor/disable", { code: form.get("code") });
    await load();
  });
  const saved = async () => {
    setRecoveryCodes(null);
    await load();
    // The rest of the app opens once the school's requirement is met.
    onUser((await get("/auth/session")).user);
  };

  let body;
  if (recoveryCodes) {
    body = html`<p>${t("recovery_codes_intro")}</p>
      <ol class="codes">${recoveryCodes.map((code) => html`<li><code>${code}</code></li>`)}</ol>
      <button onClick=${saved}>${t("recovery_codes_saved")}</button>`;
  } else if (setup) {
    const qr = `data:image/svg+xml;base64,${btoa(setup.qr_svg)}`;
    body = html`<p>${t("two_factor_scan")}</p>
      <img class="qr" src=${qr} alt=${t("two_factor_qr")} width="200" height="200" />
      <p class="meta">${t("two_factor_key")}: <code class="key">${setup.secret.match(/.{1,4}/g).join(" ")}</code></p>
      <form onSubmit=${turnOn.submit}>
        <label>${t("code_label")}<input name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="6" pattern="[0-9]{6}" /></label>
        <${Feedback} error=${turnOn.error} />
        <button type="submit" disabled=${turnOn.busy}>${t("two_factor_turn_on")}</button>
      </form>`;
  } else if (status?.on) {
    body = html`<p role="status">${t("two_factor_on", { count: status.recovery_codes_left })}</p>
      ${user.two_factor_setup_required || status.setup_required ? null : html`<form onSubmit=${turnOff.submit}>
        <p class="meta">${t("two_factor_off_hint")}</p>
        <label>${t("code_label")}<input name="code" autocomplete="one-time-code" required maxlength="32" autocapitalize="off" /></label>
        <${Feedback} error=${turnOff.error} />
        <button type="submit" class="secondary" disabled=${turnOff.busy}>${t("two_factor_turn_off")}</button>
      </form>`}`;
  } else {
    body = html`<p class="meta">${t("two_factor_intro")}</p>
      <${Feedback} error=${startError} />
      <button onClick=${start}>${t("two_factor_start")}</button>`;
  }
  return html`<section class="card" aria-labelledby="two-step">
    <h2 id="two-step">${t("two_factor")}</h2>
    ${body}
  </section>`;
}
