// The groups directory (every group; a group's children and parents as each family shares
// them), privacy settings with a preview of what others see, and photos of people.
import { html, useEffect, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { api, get, put } from "../lib/api.js";
import { formatDay, t } from "../lib/i18n.js";
import { Feedback, Status, useResource } from "../lib/ui.js";

/** "My children | Groups" (parents), "Children | Groups" (staff: their groups' children). */
export function PeopleSections({ current, parent = true }) {
  const link = (href, label) => html`<a href=${href} aria-current=${current === href ? "page" : undefined}>${label}</a>`;
  return html`<nav class="segments" aria-label=${t("people_sections")}>
    ${link("/children", parent ? t("my_children") : t("pupils"))}${link("/groups", t("groups"))}
  </nav>`;
}

/** A round photo, or the initials when there is none (or it is not shared). */
export function Avatar({ name, url, size = 48 }) {
  const initials = (name || "?").split(/\s+/).filter(Boolean).map((part) => part[0]).filter((c) => c === c.toUpperCase()).slice(0, 2).join("");
  return url
    ? html`<img class="avatar" src=${url} alt="" width=${size} height=${size} loading="lazy" />`
    : html`<span class="avatar" aria-hidden="true" style=${`width:${size}px;height:${size}px`}>${initials}</span>`;
}

export function Groups({ user }) {
  const { data, error } = useResource("/directory/groups");
  const sections = html`<${PeopleSections} current="/groups" parent=${user.role === "parent"} />`;
  if (!data) return html`${sections}<${Status} error=${error} />`;
  const ordered = [...data.filter((g) => g.own), ...data.filter((g) => !g.own)];
  return html`${sections}
    <h1>${t("groups")}</h1>
    ${ordered.length === 0 && html`<p class="meta">${t("nothing_yet")}</p>`}
    <ul class="plain">
      ${ordered.map((group) => html`<li key=${group.id}><a class=${`card group${group.own ? " own" : ""}`} href=${`/groups/${group.id}`}>
        <h2>${group.name}</h2>
        ${group.own && html`<p class="badge">${t("your_group")}</p>`}
        <p class="meta">${t("children_count", { count: group.children })}</p>
        ${group.teachers.length > 0 && html`<p class="people-line">${group.teachers.map((teacher) => html`<span key=${teacher.id} class="person-chip">
          <${Avatar} name=${teacher.full_name} url=${teacher.photo_url} size=${28} />${teacher.full_name}</span>`)}</p>`}
      </a></li>`)}
    </ul>`;
}

const LABELS = { mobile: "label_mobile", work: "label_work", home: "label_home", other: "label_other" };

/** One parent as the viewer sees them: what is not shared is simply not there. */
function ParentLine({ parent }) {
  return html`<li class="parent">
    <${Avatar} name=${parent.full_name} url=${parent.photo_url} size=${36} />
    <div>
      <p class="name">${parent.full_name}${parent.relation === "family" ? html` <span class="meta">(${t("you")})</span>` : null}</p>
      ${(parent.phones || []).map((phone) => html`<p><a href=${`tel:${phone.value.replace(/[^+\d]/g, "")}`}>${phone.value}</a>
        <span class="meta"> · ${t(LABELS[phone.label] || "label_other")}</span></p>`)}
      ${(parent.emails || []).map((email) => html`<p><a href=${`mailto:${email.value}`}>${email.value}</a></p>`)}
      ${parent.address_shared && parent.address ? html`<p>${parent.address}</p>` : null}
    </div>
  </li>`;
}

/** Whose child page the viewer may open: their own child's, their group's, the office. */
const OPENS_CHILD = ["family", "teacher_of_group", "admin"];

function ChildCard({ child, linked = true }) {
  const name = linked && OPENS_CHILD.includes(child.relation)
    ? html`<a href=${`/children/${child.id}`}>${child.full_name}</a>`
    : child.full_name;
  return html`<li class="card child-entry">
    <div class="child-head">
      <${Avatar} name=${child.full_name} url=${child.photo_url} size=${56} />
      <div>
        <h2>${name}</h2>
        ${child.birthday && html`<p class="meta">${t("birthday")}: ${formatDay(child.birthday, { day: "numeric", month: "long" })}</p>`}
      </div>
    </div>
    ${child.parents.length > 0 && html`<ul class="plain parents">${child.parents.map((parent) => html`<${ParentLine} key=${parent.id} parent=${parent} />`)}</ul>`}
  </li>`;
}

export function GroupPage({ id }) {
  const { data, error } = useResource(`/directory/groups/${id}`);
  if (!data) return html`<${Status} error=${error} />`;
  const { group } = data;
  return html`<h1>${group.name}</h1>
    ${group.teachers.length > 0 && html`<section aria-labelledby="teachers">
      <h2 id="teachers" class="small-heading">${t("teachers")}</h2>
      <p class="people-line">${group.teachers.map((teacher) => html`<span key=${teacher.id} class="person-chip">
        <${Avatar} name=${teacher.full_name} url=${teacher.photo_url} size=${36} />${teacher.full_name}</span>`)}</p>
    </section>`}
    ${!data.directory_on && html`<p class="notice">${t("directory_off")}</p>`}
    <ul class="plain">${data.children.map((child) => html`<${ChildCard} key=${child.id} child=${child} />`)}</ul>
    ${data.unlisted_children > 0 && html`<p class="meta">${data.unlisted_children === 1 ? t("unlisted_child") : t("unlisted_children", { count: data.unlisted_children })}</p>`}
    <p class="meta">${t("directory_how")} <a href="/account/privacy">${t("privacy_settings")}</a></p>
    <p><a href="/groups">${t("back")}</a></p>`;
}

const AUDIENCES = ["nobody", "staff", "group_parents", "school_parents"];

/** Per field: who sees it. Saved at once on change; locked fields show the school's choice. */
export function PrivacyFields({ path, editable = true, onSaved }) {
  const [settings, setSettings] = useState(null);
  const [outcome, setOutcome] = useState({});
  const [error, setError] = useState(null);
  useEffect(() => {
    get(path).then(setSettings, setError);
  }, [path]);
  if (!settings) return html`<${Status} error=${error} />`;
  const choose = async (field, audience) => {
    setOutcome({});
    try {
      const answer = await put(path, { choices: [{ field, audience }] });
      setSettings(answer);
      setOutcome({ ok: t("saved") });
      onSaved?.();
    } catch (failure) {
      setOutcome({ error: failure.message });
    }
  };
  return html`<div class="privacy-fields">
    ${!settings.directory_on && html`<p class="notice">${t("directory_off")}</p>`}
    ${settings.fields.map((setting) => html`<label key=${setting.field}>${t(`field_${setting.field}`)}
      <select disabled=${setting.locked || !editable} onChange=${(event) => choose(setting.field, event.target.value)}>
        ${AUDIENCES.map((audience) => html`<option value=${audience} selected=${setting.audience === audience}>${t(`audience_${audience}`)}</option>`)}
      </select>
      ${setting.locked && html`<span class="meta">${t("locked_by_school")}</span>`}
    </label>`)}
    <${Feedback} ok=${outcome.ok} error=${outcome.error} />
  </div>`;
}

const VIEWERS = ["parent_in_same_group", "parent_of_school", "teacher_of_group"];

/** "This is what others see": me and my children as a viewer of the chosen kind sees us. */
function Preview({ version }) {
  const [viewer, setViewer] = useState(VIEWERS[0]);
  const { data, error } = useResource(`/me/privacy/preview?viewer=${viewer}`, version);
  return html`<section class="card" aria-labelledby="preview">
    <h2 id="preview">${t("privacy_preview")}</h2>
    <nav class="segments" aria-label=${t("privacy_preview_as")}>
      ${VIEWERS.map((one) => html`<button type="button" key=${one} aria-pressed=${viewer === one ? "true" : "false"} onClick=${() => setViewer(one)}>${t(`viewer_${one}`)}</button>`)}
    </nav>
    ${data ? html`<div class="preview">
        ${data.children.length === 0 && html`<p class="meta">${t("preview_not_listed")}</p>`}
        <ul class="plain">${data.children.map((child) => html`<${ChildCard} key=${child.id} child=${child} linked=${false} />`)}</ul>
        ${data.children.length === 0 && html`<ul class="plain parents"><${ParentLine} parent=${{ ...data.me, relation: "other" }} /></ul>`}
      </div>` : html`<${Status} error=${error} />`}
  </section>`;
}

export function PrivacySettings({ user }) {
  const [version, setVersion] = useState(0);
  const { data: children } = useResource(user.role === "parent" ? "/children" : null);
  return html`<h1>${t("privacy_settings")}</h1>
    <p>${t("privacy_intro")}</p>
    <section class="card" aria-labelledby="privacy-me">
      <h2 id="privacy-me">${t("privacy_me")}</h2>
      <${PrivacyFields} path="/me/privacy" onSaved=${() => setVersion((n) => n + 1)} />
    </section>
    ${(children || []).map((child) => html`<section class="card" key=${child.id} aria-labelledby=${`privacy-${child.id}`}>
      <h2 id=${`privacy-${child.id}`}>${child.full_name}</h2>
      <${PrivacyFields} path=${`/children/${child.id}/privacy`} editable=${child.can_edit} onSaved=${() => setVersion((n) => n + 1)} />
    </section>`)}
    ${user.role === "parent" && html`<${Preview} version=${version} />`}
    <p><a href="/account">${t("back")}</a></p>`;
}

/** Choose, replace or remove a photo; sent as it is picked (the server crops it square). */
export function PhotoPicker({ path, url, name, editable = true, onChange }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState({});
  const upload = async (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (!file) return;
    setBusy(true);
    setOutcome({});
    try {
      const form = new FormData();
      form.append("photo", file);
      const answer = await api("PUT", path, form);
      onChange(answer.photo_url);
      setOutcome({ ok: t("saved") });
    } catch (failure) {
      setOutcome({ error: failure.message });
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    setOutcome({});
    try {
      await api("DELETE", path);
      onChange(null);
      setOutcome({ ok: t("removed") });
    } catch (failure) {
      setOutcome({ error: failure.message });
    } finally {
      setBusy(false);
    }
  };
  const inputId = `photo-${path.replace(/\W/g, "-")}`;
  return html`<div class="photo-picker">
    <${Avatar} name=${name} url=${url} size=${96} />
    ${editable && html`<div>
      <label class="button secondary" for=${inputId}>${url ? t("photo_replace") : t("photo_add")}</label>
      <input id=${inputId} class="visually-hidden" type="file" accept="image/jpeg,image/png,image/webp" disabled=${busy} onChange=${upload} />
      ${url && html`<button type="button" class="secondary" disabled=${busy} onClick=${remove}>${t("remove")}</button>`}
      ${busy && html`<p class="meta" role="status">${t("uploading")}</p>`}
      <${Feedback} ok=${outcome.ok} error=${outcome.error} />
    </div>`}
  </div>`;
}
