// My children (parents) or my groups' children (teachers), and a child's page: photo,
// birthday, emergency numbers, who sees what, and the teachers' notes.
import { html, useEffect, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { api, get, patch, post } from "../lib/api.js";
import { formatDate, t } from "../lib/i18n.js";
import { Feedback, Status, useResource, useSubmit } from "../lib/ui.js";
import { Avatar, PeopleSections, PhotoPicker, PrivacyFields } from "./directory.js";
import { PhotoConsent } from "./albums.js";

export function Children({ user }) {
  const { data, error } = useResource("/children");
  const parent = user.role === "parent";
  const sections = html`<${PeopleSections} current="/children" parent=${parent} />`;
  if (!data) return html`${sections}<${Status} error=${error} />`;
  return html`${sections}
    <h1>${parent ? t("my_children") : t("pupils")}</h1>
    ${data.length === 0 && html`<p class="meta">${t("nothing_yet")}</p>`}
    ${data.map((child) => html`<a class="card child-head" key=${child.id} href=${`/children/${child.id}`}>
      <${Avatar} name=${child.full_name} url=${child.photo_url} size=${48} />
      <div><h2>${child.full_name}</h2>
      <p class="meta">${child.group_name || ""}</p></div></a>`)}`;
}

/** The teachers' notes: the child's parents read them, the group's teachers write them. */
function Notes({ child }) {
  const [version, setVersion] = useState(0);
  const { data, error } = useResource(`/children/${child.id}/notes`, version);
  const write = useSubmit(async (form, element) => {
    await post(`/children/${child.id}/notes`, { body: form.get("body") });
    element.reset();
    setVersion((n) => n + 1);
  }, t("note_sent"));
  const remove = async (note) => {
    await api("DELETE", `/children/${child.id}/notes/${note.id}`);
    setVersion((n) => n + 1);
  };
  return html`<section class="card" aria-labelledby="notes-title" id="notes">
    <h2 id="notes-title">${t("notes")}</h2>
    ${!data ? html`<${Status} error=${error} />` : html`
      ${data.length === 0 && html`<p class="meta">${child.teaches_group ? t("notes_empty_teacher") : t("notes_empty")}</p>`}
      <ul class="plain">${data.map((note) => html`<li key=${note.id} class="card note">
        <p>${note.body}</p>
        <p class="meta">${note.author_name || ""} · ${formatDate(note.created_at)}</p>
        ${note.own && html`<button type="button" class="secondary" onClick=${() => remove(note)}>${t("remove")}</button>`}
      </li>`)}</ul>`}
    ${child.teaches_group && html`<form onSubmit=${write.submit}>
      <label>${t("note_new")}<textarea name="body" required maxlength="4000" rows="3"></textarea></label>
      <p class="meta">${t("note_hint")}</p>
      <${Feedback} ok=${write.ok} error=${write.error} />
      <button type="submit" disabled=${write.busy}>${t("note_send")}</button>
    </form>`}
  </section>`;
}

/** Photo and birthday: the child's parents (not read-only) and the office change them. */
function ChildDetails({ child, onChild }) {
  const birthday = useSubmit(async (form) => {
    onChild(await patch(`/children/${child.id}`, { birthday: form.get("birthday") }));
  }, t("saved"));
  const family = child.is_parent || child.can_edit;
  return html`<section class="card" aria-labelledby="child-details">
    <h2 id="child-details">${t("child_details")}</h2>
    ${family && html`<${PhotoPicker} path=${`/children/${child.id}/photo`} url=${child.photo_url} name=${child.full_name}
      editable=${child.can_edit} onChange=${(url) => onChild({ ...child, photo_url: url })} />`}
    ${child.can_edit
      ? html`<form onSubmit=${birthday.submit}>
          <label>${t("birthday")}<input name="birthday" type="date" defaultValue=${child.birthday || ""} required /></label>
          <${Feedback} ok=${birthday.ok} error=${birthday.error} />
          <button type="submit" disabled=${birthday.busy}>${t("save")}</button>
        </form>`
      : child.birthday && html`<p>${t("birthday")}: ${child.birthday}</p>`}
  </section>`;
}

/** Where an error names an emergency number's field: its index and the field's name. */
function contactField(field) {
  const found = /^emergency_contacts\[(\d+)\]\.(\w+)$/.exec(field || "");
  return found ? { index: Number(found[1]), name: found[2] } : null;
}

export function ChildPage({ id }) {
  // Offline, a child page not opened before opens from the list kept on the device.
  const fromList = async () => (await get("/children")).find((one) => String(one.id) === String(id));
  const { data: loaded, error } = useResource(`/children/${id}`, 0, fromList);
  const [changed, setChanged] = useState(null);
  const child = changed && loaded && changed.id === loaded.id ? changed : loaded;
  const [contacts, setContacts] = useState(null);
  const [saved, setSaved] = useState(null);
  const [outcome, setOutcome] = useState({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (loaded) {
      setContacts(loaded.emergency_contacts);
      setSaved(loaded.emergency_contacts);
    }
  }, [loaded]);
  // A field the server refused is shown and scrolled to the middle (not under the tab bar).
  useEffect(() => {
    const field = contactField(outcome.field);
    if (!field) return;
    const input = document.getElementById(`contact-${field.index}-${field.name}`);
    input?.scrollIntoView({ block: "center" });
    input?.focus({ preventScroll: true });
  }, [outcome]);
  if (!child || !contacts) return html`<${Status} error=${error} />`;
  const store = async (list, okText) => {
    setBusy(true);
    setOutcome({});
    try {
      const answer = await patch(`/children/${id}`, {
        emergency_contacts: list.map((c) => ({ name: c.name, phone: c.phone, relation: c.relation || undefined })),
      });
      setContacts(answer.emergency_contacts);
      setSaved(answer.emergency_contacts);
      setOutcome({ ok: okText });
    } catch (failure) {
      setOutcome({ error: failure.message, field: failure.field });
    } finally {
      setBusy(false);
    }
  };
  const change = (index, field, value) => setContacts(contacts.map((c, i) => (i === index ? { ...c, [field]: value } : c)));
  // A removal is saved at once: what the parent sees is what the school has.
  const remove = (index) => store(contacts.filter((_, i) => i !== index), t("removed"));
  const unsaved = JSON.stringify(contacts) !== JSON.stringify(saved);
  const invalid = contactField(outcome.field);
  const editable = child.can_edit;
  const input = (index, name, props) => {
    const wrong = invalid && invalid.index === index && invalid.name === name;
    return html`<input id=${`contact-${index}-${name}`} aria-invalid=${wrong ? "true" : undefined}
      aria-describedby=${wrong ? "contact-error" : undefined} readOnly=${!editable} ...${props} />
      ${wrong && html`<span id="contact-error" class="field-error">${outcome.error}</span>`}`;
  };
  return html`<h1>${child.full_name}</h1>
    <p class="meta">${child.group_name || ""}</p>
    <${ChildDetails} child=${child} onChild=${setChanged} />
    <section class="card" aria-labelledby="emergency">
      <h2 id="emergency">${t("emergency")}</h2>
      ${!editable && html`<p class="meta">${t("read_only")}</p>`}
      ${contacts.length === 0 && html`<p>${t("emergency_explained")}</p>`}
      <form onSubmit=${(event) => { event.preventDefault(); store(contacts, t("saved")); }}>
        ${contacts.map((contact, index) => html`<fieldset key=${index}>
          <legend>${contact.name || t("emergency")}</legend>
          <label>${t("name")}${input(index, "name", { value: contact.name, required: true, onInput: (e) => change(index, "name", e.target.value) })}</label>
          <label>${t("phone")}${input(index, "phone", { type: "tel", value: contact.phone, required: true, onInput: (e) => change(index, "phone", e.target.value) })}</label>
          <label>${t("relation")}${input(index, "relation", { value: contact.relation || "", onInput: (e) => change(index, "relation", e.target.value) })}</label>
          ${editable && html`<button type="button" class="secondary" disabled=${busy} onClick=${() => remove(index)}>${t("remove")}</button>`}
        </fieldset>`)}
        ${editable && html`<div class="row">
          <button type="button" class="secondary" onClick=${() => setContacts([...contacts, { name: "", phone: "", relation: "" }])}>${t("add_contact")}</button>
          <button type="submit" disabled=${busy}>${t("save")}</button></div>`}
        ${unsaved && !outcome.error && html`<p class="meta" role="status">${t("unsaved_changes")}</p>`}
        ${invalid ? null : html`<${Feedback} ok=${outcome.ok} error=${outcome.error} />`}
      </form>
    </section>
    ${(child.is_parent || child.teaches_group) && html`<${Notes} child=${child} />`}
    <${PhotoConsent} child=${child} />
    ${child.is_parent && html`<section class="card" aria-labelledby="child-privacy">
      <h2 id="child-privacy">${t("privacy_child")}</h2>
      ${!editable && html`<p class="meta">${t("read_only")}</p>`}
      <${PrivacyFields} path=${`/children/${id}/privacy`} editable=${editable} />
      <p class="meta"><a href="/account/privacy">${t("privacy_preview")}</a></p>
    </section>`}
    <p><a href="/children">${t("back")}</a></p>`;
}
