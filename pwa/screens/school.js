// My children (parents) or my groups' children (teachers), and a child's page with its
// emergency numbers.
import { html, useEffect, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { get, patch } from "../lib/api.js";
import { t } from "../lib/i18n.js";
import { Feedback, Status, useResource, useSubmit } from "../lib/ui.js";

export function Children() {
  const { data, error } = useResource("/children");
  if (!data) return html`<${Status} error=${error} />`;
  return html`<h1>${t("children")}</h1>
    ${data.length === 0 && html`<p class="meta">${t("nothing_yet")}</p>`}
    ${data.map((child) => html`<a class="card" key=${child.id} href=${`/children/${child.id}`}>
      <h2>${child.full_name}</h2>
      <p class="meta">${child.group_name || ""}</p></a>`)}`;
}

export function ChildPage({ id }) {
  // Offline, a child page not opened before opens from the list kept on the device.
  const fromList = async () => (await get("/children")).find((one) => String(one.id) === String(id));
  const { data: child, error } = useResource(`/children/${id}`, 0, fromList);
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
  return html`<h1>${child.full_name}</h1>
    <p class="meta">${child.group_name || ""}</p>
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
