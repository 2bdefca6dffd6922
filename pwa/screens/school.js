// My children (parents) or my groups' children (teachers), and a child's page with its
// emergency numbers.
import { html, useEffect, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { get, patch } from "../lib/api.js";
import { t } from "../lib/i18n.js";
import { Feedback, Status, useResource } from "../lib/ui.js";

export function Children() {
  const { data, error } = useResource("/children");
  if (!data) return html`<${Status} error=${error} />`;
  return html`<h1>${t("children")}</h1>
    ${data.length === 0 && html`<p class="meta">${t("nothing_yet")}</p>`}
    ${data.map((child) => html`<a class="card" key=${child.id} href=${`/children/${child.id}`}>
      <h2>${child.full_name}</h2>
      <p class="meta">${child.group_name || ""}</p></a>`)}`;
}

/** Where an error names an emergency number's field: its index and the field's name. */
function contactField(field) {
  const found = /^emergency_contacts\[(\d+)\]\.(\w+)$/.exec(field || "");
  return found ? { index: Number(found[1]), name: found[2] } : null;
}

export function ChildPage({ id }) {
  // Offline, a child page not opened before opens from the list kept on the device.
  const fromList = async () => (await get("/children")).find((one) => String(one.id) === String(id));
  const { data: child, error } = useResource(`/children/${id}`, 0, fromList);
  const [contacts, setContacts] = useState(null);
  const [saved, setSaved] = useState(null);
  const [outcome, setOutcome] = useState({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (child) {
      setContacts(child.emergency_contacts);
      setSaved(child.emergency_contacts);
    }
  }, [child]);
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
    <p><a href="/children">${t("back")}</a></p>`;
}
