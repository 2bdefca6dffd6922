// Photo albums: the albums of the school and of the children's groups as thumbnail grids
// with a full-screen viewer (swipe, arrow keys); for staff a new album, several photos at
// once with a progress bar each (and a retry for those that failed), tagging who is on each
// photo (children without photo consent marked), publishing. And a child's photo consent.
import { html, useEffect, useRef, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { api, post, put, uploadWithProgress } from "../lib/api.js";
import { formatDate, t } from "../lib/i18n.js";
import { Feedback, Status, useResource } from "../lib/ui.js";
import { navigate } from "../lib/router.js";
import { AgendaSections } from "./agenda.js";

/** Photos sent to the server at the same time. */
const UPLOADS_AT_ONCE = 2;

function NewAlbum({ user, groups }) {
  const [outcome, setOutcome] = useState({});
  const mine = user.role === "admin" ? groups : groups.filter((group) => group.teacher_ids.includes(user.id));
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const group = form.get("group");
    try {
      const made = await post("/albums", {
        title: form.get("title"), description: form.get("description") || null, group_id: group ? Number(group) : null,
      });
      navigate(`/albums/${made.album.id}`);
    } catch (failure) {
      setOutcome({ error: failure.message });
    }
  };
  return html`<details class="card">
    <summary>${t("album_new")}</summary>
    <form onSubmit=${submit}>
      <label>${t("album_title")}<input name="title" required maxlength="200" /></label>
      <label>${t("album_description")}<textarea name="description" maxlength="2000" rows="2"></textarea></label>
      <label>${t("audience")}<select name="group">
        ${mine.map((group) => html`<option key=${group.id} value=${group.id}>${group.name}</option>`)}
        ${user.role === "admin" && html`<option value="">${t("whole_school")}</option>`}
      </select></label>
      <${Feedback} error=${outcome.error} />
      <button type="submit">${t("album_make")}</button>
    </form>
  </details>`;
}

export function Albums({ user }) {
  const { data: albums, error } = useResource("/albums");
  const staff = user.role !== "parent";
  const { data: groups } = useResource(staff ? "/groups" : null);
  if (!albums || (staff && !groups)) return html`<${AgendaSections} current="albums" /><${Status} error=${error} />`;
  return html`<${AgendaSections} current="albums" />
    <h1>${t("albums_title")}</h1>
    ${staff && html`<${NewAlbum} user=${user} groups=${groups} />`}
    ${albums.length === 0 && html`<p class="meta">${t("albums_empty")}</p>`}
    <ul class="albums">${albums.map((album) => html`<li key=${album.id}>
      <a class="card album-card" href=${`/albums/${album.id}`}>
        ${album.cover_url ? html`<img src=${album.cover_url} alt="" width="96" height="96" loading="lazy" />` : html`<span class="cover-empty" aria-hidden="true"></span>`}
        <div><h2>${!album.published_at && html`<span class="badge draft">${t("album_draft")}</span>`}${album.title}</h2>
          <p class="meta">${album.group_name || t("whole_school")} · ${t("photos_count", { count: album.photo_count })}</p>
          ${staff && album.hidden_count > 0 && html`<p class="meta warn">${t("photos_hidden", { count: album.hidden_count })}</p>`}</div>
      </a></li>`)}</ul>`;
}

/** The full-screen viewer: one display copy at a time; swipe, arrow keys or buttons to move,
 * Escape or Close to leave. Focus stays inside while it is open. */
function Viewer({ photos, index, onIndex, onClose, mayDownload }) {
  const dialog = useRef(null);
  const start = useRef(null);
  const photo = photos[index];
  const go = (step) => onIndex((index + step + photos.length) % photos.length);
  useEffect(() => {
    const opener = document.activeElement;
    dialog.current?.focus();
    return () => opener?.focus?.();
  }, []);
  const keys = (event) => {
    if (event.key === "Escape") onClose();
    else if (event.key === "ArrowRight") go(1);
    else if (event.key === "ArrowLeft") go(-1);
  };
  const down = (event) => { start.current = event.clientX; };
  const up = (event) => {
    if (start.current === null) return;
    const moved = event.clientX - start.current;
    start.current = null;
    if (Math.abs(moved) > 50) go(moved < 0 ? 1 : -1);
  };
  return html`<div class="viewer" role="dialog" aria-modal="true" aria-label=${t("viewer", { n: index + 1, total: photos.length })}
      tabindex="-1" ref=${dialog} onKeyDown=${keys}>
    <div class="viewer-bar">
      <span aria-live="polite">${t("viewer", { n: index + 1, total: photos.length })}</span>
      ${mayDownload && html`<a class="button secondary-link" href=${`${photo.display_url}?download=true`} download=${photo.file_name}>${t("photo_download")}</a>`}
      <button class="secondary" onClick=${onClose}>${t("viewer_close")}</button>
    </div>
    <div class="viewer-stage" onPointerDown=${down} onPointerUp=${up}>
      <img src=${photo.display_url} alt=${t("viewer", { n: index + 1, total: photos.length })} width=${photo.width} height=${photo.height} draggable="false" />
    </div>
    ${photos.length > 1 && html`<div class="viewer-nav">
      <button class="secondary" aria-label=${t("viewer_previous")} onClick=${() => go(-1)}>‹</button>
      <button class="secondary" aria-label=${t("viewer_next")} onClick=${() => go(1)}>›</button></div>`}
  </div>`;
}

/** Choosing who is on a photo: the group's children (those without consent marked), or
 * "no child can be recognised". */
function Tagger({ photo, taggable, onSaved }) {
  const [chosen, setChosen] = useState(photo.tags.map((child) => child.id));
  const [nobody, setNobody] = useState(photo.no_recognisable_children);
  const [outcome, setOutcome] = useState({});
  const toggle = (id) => {
    setNobody(false);
    setChosen(chosen.includes(id) ? chosen.filter((c) => c !== id) : [...chosen, id]);
  };
  const save = async (event) => {
    event.preventDefault();
    try {
      onSaved(await put(`/photos/${photo.id}/tags`, { child_ids: nobody ? [] : chosen, no_recognisable_children: nobody }));
    } catch (failure) {
      setOutcome({ error: failure.message });
    }
  };
  return html`<form class="tagger" onSubmit=${save}>
    <fieldset><legend>${t("photo_tag")}</legend>
      <label class="check"><input type="checkbox" checked=${nobody} onChange=${(e) => { setNobody(e.target.checked); if (e.target.checked) setChosen([]); }} />${t("photo_no_recognisable")}</label>
      ${taggable.map((child) => html`<label class="check" key=${child.id}>
        <input type="checkbox" checked=${chosen.includes(child.id)} onChange=${() => toggle(child.id)} />
        ${child.name}${!child.consent && html` <span class="badge warn">${t("no_consent_mark")}</span>`}</label>`)}
    </fieldset>
    <${Feedback} error=${outcome.error} />
    <button type="submit">${t("photo_tags_save")}</button>
  </form>`;
}

function StaffPhoto({ photo, taggable, onChanged, onOpen, n }) {
  const [tagging, setTagging] = useState(false);
  const names = (ids) => ids.map((id) => taggable.find((child) => child.id === id)?.name || "?").join(", ");
  const state = photo.status === "pending" ? t("album_processing")
    : photo.status === "failed" ? `${t("album_failed_photo")}: ${t(`errors.${photo.failure}`)}`
    : photo.hidden === "untagged" ? t("photo_untagged")
    : photo.hidden === "no_consent" ? t("photo_no_consent", { names: names(photo.hidden_children) })
    : photo.tags.length ? t("photo_tagged", { names: photo.tags.map((c) => c.name).join(", ") })
    : t("photo_shown");
  const remove = async () => {
    await api("DELETE", `/photos/${photo.id}`);
    onChanged();
  };
  return html`<li class=${`card staff-photo${photo.hidden && photo.hidden !== "not_ready" ? " hidden-photo" : ""}`}>
    ${photo.thumb_url
      ? html`<button class="thumb" aria-label=${t("photo_open", { n })} onClick=${onOpen}><img src=${photo.thumb_url} alt="" width="96" height="96" loading="lazy" /></button>`
      : html`<span class="thumb cover-empty" aria-hidden="true"></span>`}
    <div>
      <p class=${photo.hidden && photo.hidden !== "not_ready" ? "meta warn" : "meta"}>${state}</p>
      <div class="row">
        ${photo.status === "ready" && html`<button class="secondary" aria-expanded=${tagging} onClick=${() => setTagging(!tagging)}>${t("photo_tag")}</button>`}
        <button class="secondary" onClick=${remove}>${t("photo_delete")}</button>
      </div>
      ${tagging && html`<${Tagger} photo=${photo} taggable=${taggable} onSaved=${() => { setTagging(false); onChanged(); }} />`}
    </div>
  </li>`;
}

/** Sends the chosen photos, a few at a time, each with its progress bar; failed ones keep
 * their file for a retry. */
function Uploader({ albumId, onUploaded }) {
  const [queue, setQueue] = useState([]);
  const update = (id, change) => setQueue((items) => items.map((item) => (item.id === id ? { ...item, ...change } : item)));
  const send = async (item) => {
    update(item.id, { state: "sending", progress: 0, error: null });
    const form = new FormData();
    form.append("photo", item.file, item.file.name);
    try {
      await uploadWithProgress(`/albums/${albumId}/photos`, form, (progress) => update(item.id, { progress }));
      setQueue((items) => items.filter((one) => one.id !== item.id));
      onUploaded();
    } catch (failure) {
      update(item.id, { state: "failed", error: failure.message });
    }
  };
  const choose = async (event) => {
    const items = [...event.target.files].map((file, i) => ({ id: `${Date.now()}-${i}`, file, state: "waiting", progress: 0 }));
    event.target.value = "";
    setQueue((old) => [...old, ...items]);
    const waiting = [...items];
    const worker = async () => {
      while (waiting.length) await send(waiting.shift());
    };
    await Promise.all(Array.from({ length: UPLOADS_AT_ONCE }, worker));
  };
  return html`<section class="card" aria-labelledby="add-photos">
    <h2 id="add-photos">${t("album_add_photos")}</h2>
    <label class="button file-button">${t("album_choose_photos")}
      <input type="file" class="visually-hidden" accept="image/jpeg,image/png,image/webp" multiple onChange=${choose} /></label>
    <ul class="uploads">${queue.map((item) => html`<li key=${item.id}>
      ${item.state === "failed"
        ? html`<p class="error" role="alert">${t("album_upload_failed", { name: item.file.name, reason: item.error })}</p>
          <button class="secondary" onClick=${() => send(item)}>${t("album_retry")}</button>`
        : html`<label>${t("album_uploading", { name: item.file.name })}
          <progress max="1" value=${item.progress}></progress></label>`}
    </li>`)}</ul>
  </section>`;
}

export function AlbumPage({ id, user }) {
  const [version, setVersion] = useState(0);
  const { data: page, error } = useResource(`/albums/${id}`, version);
  const [viewing, setViewing] = useState(null);
  const [outcome, setOutcome] = useState({});
  const [asking, setAsking] = useState(false);
  const changed = () => setVersion((v) => v + 1);
  const pending = page?.photos.some((photo) => photo.status === "pending");
  // While photos are being prepared, look again every two seconds.
  useEffect(() => {
    if (!pending) return undefined;
    const timer = setTimeout(changed, 2000);
    return () => clearTimeout(timer);
  }, [pending, version]);
  if (!page) return html`<${AgendaSections} current="albums" /><${Status} error=${error} />`;
  const { album } = page;
  const shown = page.photos.filter((photo) => photo.status === "ready");
  const open = (photo) => setViewing(shown.findIndex((one) => one.id === photo.id));
  const publish = async () => {
    setOutcome({});
    try {
      await post(`/albums/${id}/publish`);
      setOutcome({ ok: t("album_published") });
      changed();
    } catch (failure) {
      setOutcome({ error: failure.message });
    }
  };
  const remove = async () => {
    await api("DELETE", `/albums/${id}`);
    navigate("/albums");
  };
  const noConsent = page.taggable.filter((child) => !child.consent).map((child) => child.name);
  return html`<${AgendaSections} current="albums" />
    <p><a href="/albums">← ${t("albums_title")}</a></p>
    <h1>${!album.published_at && html`<span class="badge draft">${t("album_draft")}</span>`}${album.title}</h1>
    <p class="meta">${album.group_name || t("whole_school")} · ${t("photos_count", { count: album.photo_count })}${album.published_at ? ` · ${t("album_published_on", { date: formatDate(album.published_at) })}` : ""}</p>
    ${album.description && html`<p>${album.description}</p>`}
    ${album.may_manage
      ? html`
        ${noConsent.length > 0 && html`<p class="meta warn">${t("album_children_no_consent", { names: noConsent.join(", ") })}</p>`}
        <${Uploader} albumId=${id} onUploaded=${changed} />
        <ul class="staff-photos">${page.photos.map((photo) => html`<${StaffPhoto} key=${photo.id} photo=${photo}
          taggable=${page.taggable} onChanged=${changed} onOpen=${() => open(photo)} n=${shown.indexOf(photo) + 1} />`)}</ul>
        ${!album.published_at && html`<section class="card"><p class="meta">${t("album_publish_explained")}</p>
          <${Feedback} ok=${outcome.ok} error=${outcome.error} />
          <button onClick=${publish}>${t("album_publish")}</button></section>`}
        ${album.published_at && html`<${Feedback} ok=${outcome.ok} error=${outcome.error} />`}
        <button class="secondary" onClick=${() => setAsking(true)}>${t("album_delete")}</button>
        ${asking && html`<div role="alertdialog" aria-label=${t("album_delete_question", { title: album.title })} class="question">
          <p>${t("album_delete_question", { title: album.title })}</p>
          <div class="row"><button class="danger" onClick=${remove}>${t("delete_item_yes")}</button>
          <button class="secondary" onClick=${() => setAsking(false)}>${t("cancel")}</button></div></div>`}`
      : html`<ul class="photo-grid">${shown.map((photo, index) => html`<li key=${photo.id}>
          <button aria-label=${t("photo_open", { n: index + 1 })} onClick=${() => setViewing(index)}>
            <img src=${photo.thumb_url} alt="" width="320" height="320" loading=${index < 12 ? "eager" : "lazy"} /></button></li>`)}</ul>`}
    ${viewing !== null && shown[viewing] && html`<${Viewer} photos=${shown} index=${viewing} onIndex=${setViewing}
      onClose=${() => setViewing(null)} mayDownload=${page.may_download} />`}`;
}

/** A child's photo consent, per purpose: yes or no, saved at once. */
export function PhotoConsent({ child }) {
  const [version, setVersion] = useState(0);
  const { data, error } = useResource(`/children/${child.id}/photo-consent`, version);
  const [outcome, setOutcome] = useState({});
  // The choice shows at once; a refused one goes back to what the server holds.
  const [chosen, setChosen] = useState({});
  if (!data) return html`<${Status} error=${error} />`;
  const answer = async (purpose, granted) => {
    setOutcome({});
    setChosen({ ...chosen, [purpose]: granted });
    try {
      await put(`/children/${child.id}/photo-consent`, { purpose, granted });
      setOutcome({ ok: t("saved") });
    } catch (failure) {
      setOutcome({ error: failure.message });
      setChosen(({ [purpose]: _, ...rest }) => rest);
    }
    setVersion((v) => v + 1);
  };
  const granted = (one) => (one.purpose in chosen ? chosen[one.purpose] : one.granted);
  return html`<section class="card" aria-labelledby="photo-consent">
    <h2 id="photo-consent">${t("photo_consent")}</h2>
    <p>${t("photo_consent_explained", { name: child.first_name || child.full_name })}</p>
    <p class="meta">${t("consent_year", { year: data.school_year })}${data.asked_each_year ? ` · ${t("consent_each_year")}` : ""}</p>
    ${data.giving_locked && html`<p class="meta warn">${t("consent_locked")}</p>`}
    ${data.answers.map((one) => html`<fieldset key=${one.purpose} class="consent">
      <legend>${t(`consent_${one.purpose}`)}</legend>
      ${data.may_change
        ? html`<div class="row">
            <label class="check"><input type="radio" name=${`consent-${one.purpose}`} checked=${granted(one) === true}
              disabled=${data.giving_locked && granted(one) !== true} onChange=${() => answer(one.purpose, true)} />${t("consent_yes")}</label>
            <label class="check"><input type="radio" name=${`consent-${one.purpose}`} checked=${granted(one) === false}
              onChange=${() => answer(one.purpose, false)} />${t("consent_no")}</label></div>`
        : html`<p>${one.granted === true ? t("consent_yes") : one.granted === false ? t("consent_no") : t("consent_unanswered")}</p>`}
      ${granted(one) === null && data.may_change && html`<p class="meta">${t("consent_unanswered")}</p>`}
    </fieldset>`)}
    <${Feedback} ok=${outcome.ok} error=${outcome.error} />
  </section>`;
}

