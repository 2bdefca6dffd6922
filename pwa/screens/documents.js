// Documents: the folders of the school and of the children's groups, newest first with the
// new ones marked; staff make folders, upload, replace a document by a new version (its
// link stays) and delete.
import { html, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { api, post } from "../lib/api.js";
import { formatDate, t } from "../lib/i18n.js";
import { Feedback, Status, useResource } from "../lib/ui.js";
import { AgendaSections } from "./agenda.js";

const KINDS = {
  "application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WebP",
  "text/plain; charset=utf-8": "Text",
};

function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function kindOf(type) {
  return KINDS[type] || (type.includes("spreadsheet") ? "Excel" : type.includes("presentation") ? "PowerPoint" : "Word");
}

/** Asks in the page (not a browser dialog) before deleting for everyone. */
function DeleteQuestion({ question, onYes, onNo }) {
  return html`<div role="alertdialog" aria-label=${question} class="question">
    <p>${question}</p>
    <div class="row"><button class="danger" onClick=${onYes}>${t("delete_item_yes")}</button>
      <button class="secondary" onClick=${onNo}>${t("cancel")}</button></div>
  </div>`;
}

function DocumentCard({ document, manage, onChanged, setOutcome }) {
  const [asking, setAsking] = useState(false);
  const replace = async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    try {
      await api("POST", `/documents/${document.id}/versions`, form);
      setOutcome({ ok: t("uploaded") });
      onChanged();
    } catch (failure) {
      setOutcome({ error: failure.message });
    }
  };
  const remove = async () => {
    setAsking(false);
    try {
      await api("DELETE", `/documents/${document.id}`);
      onChanged();
    } catch (failure) {
      setOutcome({ error: failure.message });
    }
  };
  // Fetched by the app (not left to the browser's download), so the service worker keeps a
  // copy: a document opened once opens offline too.
  const open = async (event) => {
    event.preventDefault();
    try {
      const response = await fetch(event.currentTarget.href, { credentials: "same-origin" });
      if (!response.ok) throw new Error(response.status === 404 ? t("errors.not_found") : t("errors.internal_error"));
      const url = URL.createObjectURL(await response.blob());
      const link = Object.assign(window.document.createElement("a"), { href: url, download: document.file_name });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (failure) {
      setOutcome({ error: failure.message === "Failed to fetch" ? t("errors.offline") : failure.message });
    }
  };
  return html`<li class="card document">
    <a href=${`/api/documents/${document.id}/file`} download=${document.file_name} onClick=${open}>
      <h3>${document.is_new && html`<span class="badge">${t("new_badge")}</span>`}${document.title}</h3></a>
    <p class="meta">${kindOf(document.content_type)} · ${sizeText(document.size)} · ${formatDate(document.updated_at)}${document.version > 1 ? ` · ${t("version", { n: document.version })}` : ""}</p>
    ${manage && html`<div class="row">
      <label class="button secondary-link file-button">${t("new_version")}<input type="file" class="visually-hidden" onChange=${replace} /></label>
      <button class="secondary" onClick=${() => setAsking(true)}>${t("delete")}</button></div>`}
    ${asking && html`<${DeleteQuestion} question=${t("delete_document_question", { title: document.title })}
      onYes=${remove} onNo=${() => setAsking(false)} />`}
  </li>`;
}

function UploadForm({ folder, onChanged, setOutcome }) {
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    if (!form.get("title")) form.delete("title");
    setBusy(true);
    setOutcome({});
    try {
      await api("POST", `/documents/folders/${folder.id}/documents`, form);
      event.target.reset();
      setOutcome({ ok: t("uploaded") });
      onChanged();
    } catch (failure) {
      setOutcome({ error: failure.message });
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="upload" onSubmit=${submit}>
    <label>${t("file")}<input type="file" name="file" required /></label>
    <label>${t("document_title")}<input name="title" maxlength="200" /></label>
    <button type="submit" disabled=${busy}>${busy ? t("loading") : t("upload")}</button>
  </form>`;
}

function NewFolder({ user, groups, onChanged }) {
  const [outcome, setOutcome] = useState({});
  const mine = user.role === "admin" ? groups : groups.filter((group) => group.teacher_ids.includes(user.id));
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const group = form.get("group");
    try {
      await post("/documents/folders", { name: form.get("name"), group_id: group ? Number(group) : null });
      event.target.reset();
      event.target.closest("details").open = false;
      setOutcome({});
      onChanged();
    } catch (failure) {
      setOutcome({ error: failure.message });
    }
  };
  return html`<details class="card">
    <summary>${t("folder_new")}</summary>
    <form onSubmit=${submit}>
      <label>${t("folder_name")}<input name="name" required maxlength="100" /></label>
      <label>${t("audience")}<select name="group">
        ${user.role === "admin" && html`<option value="">${t("whole_school")}</option>`}
        ${mine.map((group) => html`<option key=${group.id} value=${group.id}>${group.name}</option>`)}
      </select></label>
      <${Feedback} error=${outcome.error} />
      <button type="submit">${t("folder_make")}</button>
    </form>
  </details>`;
}

export function Documents({ user }) {
  const [version, setVersion] = useState(0);
  const { data: folders, error } = useResource("/documents", version);
  const { data: groups } = useResource(user.role === "parent" ? null : "/groups");
  const [outcome, setOutcome] = useState({});
  const [askingFolder, setAskingFolder] = useState(null);
  if (!folders || (user.role !== "parent" && !groups)) return html`<${Status} error=${error} />`;
  const changed = () => setVersion((v) => v + 1);
  const removeFolder = async (folder) => {
    setAskingFolder(null);
    try {
      await api("DELETE", `/documents/folders/${folder.id}`);
      changed();
    } catch (failure) {
      setOutcome({ error: failure.message });
    }
  };
  return html`<${AgendaSections} current="documents" />
    <h1>${t("documents")}</h1>
    ${user.role !== "parent" && html`<${NewFolder} user=${user} groups=${groups} onChanged=${changed} />`}
    <${Feedback} ok=${outcome.ok} error=${outcome.error} />
    ${folders.length === 0 && html`<p class="meta">${t("documents_empty")}</p>`}
    ${folders.map((folder) => html`<section key=${folder.id} aria-labelledby=${`folder-${folder.id}`}>
      <h2 id=${`folder-${folder.id}`}>${folder.name}</h2>
      ${folder.documents.length === 0 && html`<p class="meta">${t("folder_empty")}</p>`}
      <ul class="documents">${folder.documents.map((document) => html`<${DocumentCard} key=${document.id}
        document=${document} manage=${folder.may_manage} onChanged=${changed} setOutcome=${setOutcome} />`)}</ul>
      ${folder.may_manage && html`<details class="card"><summary>${t("upload")}</summary>
        <${UploadForm} folder=${folder} onChanged=${changed} setOutcome=${setOutcome} />
        <button class="secondary" onClick=${() => setAskingFolder(folder.id)}>${t("delete_folder")}</button>
        ${askingFolder === folder.id && html`<${DeleteQuestion} question=${t("delete_folder_question", { name: folder.name })}
          onYes=${() => removeFolder(folder)} onNo=${() => setAskingFolder(null)} />`}</details>`}
    </section>`)}`;
}
