// The feed with pinned urgent notices, a post with confirm and reply, and for teachers:
// composing a post and following who read and confirmed it.
import { html, useEffect, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { post } from "../lib/api.js";
import { formatDate, t } from "../lib/i18n.js";
import { navigate } from "../lib/router.js";
import { Feedback, Status, useResource, useSubmit } from "../lib/ui.js";

function KindBadge({ item }) {
  const labels = { urgent: t("urgent"), message: t("message"), news: t("news_kind") };
  return html`<span class=${`badge ${item.kind}`}>${labels[item.kind] || item.kind}</span>`;
}

function PostCard({ item, showUnread }) {
  const unread = showUnread && !item.read_at;
  return html`<a class=${`card ${item.kind === "urgent" && item.pinned ? "urgent" : ""}`} href=${`/posts/${item.id}`}>
    <h2>
      ${item.pinned && html`<span class="badge urgent">${t("pinned")}</span>`}
      ${!item.pinned && html`<${KindBadge} item=${item} />`}
      ${unread && html`<span class="badge unread">${t("unread")}</span>`}
      ${item.title}
    </h2>
    <p class="meta">${item.author_name ? `${item.author_name} · ` : ""}${formatDate(item.created_at)}</p>
    <p>${item.body.length > 160 ? `${item.body.slice(0, 159)}…` : item.body}</p>
  </a>`;
}

export function Feed({ user, kind }) {
  const { data, error } = useResource("/posts?limit=100");
  if (!data) return html`<${Status} error=${error} />`;
  const shown = data.filter((item) => (kind === "news" ? item.kind === "news" : item.kind !== "news"));
  return html`<h1 class="visually-hidden">${kind === "news" ? t("news") : t("home")}</h1>
    ${shown.length === 0 && html`<p class="meta">${t("nothing_yet")}</p>`}
    ${shown.map((item) => html`<${PostCard} key=${item.id} item=${item} showUnread=${user.role === "parent"} />`)}`;
}

function Replies({ id, allowReplies }) {
  const [version, setVersion] = useState(0);
  const { data } = useResource(`/posts/${id}/replies`, version);
  const { busy, error, submit } = useSubmit(async (fields, form) => {
    await post(`/posts/${id}/replies`, { body: fields.get("body") });
    form.reset();
    setVersion((v) => v + 1);
  });
  // Nothing to show on a post without replies that takes none.
  if (!allowReplies && !(data && data.length)) return null;
  return html`<section aria-labelledby="replies">
    <h2 id="replies">${t("replies")}</h2>
    ${(data || []).map((reply) => html`<div key=${reply.id} class=${`reply ${reply.from_staff ? "staff" : ""}`}>
      <p class="meta">${reply.from_staff ? t("staff") : reply.author_name} · ${formatDate(reply.created_at)}</p>
      <p class="body">${reply.body}</p></div>`)}
    ${allowReplies && html`<form onSubmit=${submit}>
      <label>${t("your_reply")}<textarea name="body" required maxlength="5000"></textarea></label>
      <${Feedback} error=${error} />
      <button type="submit" disabled=${busy}>${t("send")}</button>
    </form>`}
  </section>`;
}

export function PostDetail({ id, user }) {
  const [version, setVersion] = useState(0);
  const [confirmError, setConfirmError] = useState("");
  const { data: item, error } = useResource(`/posts/${id}`, version);
  if (!item) return html`<${Status} error=${error} />`;
  const isParent = user.role === "parent";
  const confirm = async () => {
    setConfirmError("");
    try {
      await post(`/posts/${id}/confirm`);
      setVersion(version + 1);
    } catch (failure) {
      setConfirmError(failure.message);
    }
  };
  return html`<article class=${`card ${item.kind === "urgent" ? "urgent" : ""}`}>
      <h1><${KindBadge} item=${item} />${item.title}</h1>
      <p class="meta">${item.author_name ? `${item.author_name} · ` : ""}${formatDate(item.created_at)}</p>
      <p class="body">${item.body}</p>
      ${item.attachments.length > 0 && html`<h2>${t("attachments")}</h2><ul>
        ${item.attachments.map((file) => html`<li key=${file.id}><a href=${`/api/posts/${id}/attachments/${file.id}`} download>${file.file_name}</a></li>`)}
      </ul>`}
      ${isParent && item.ask_confirmation && (item.confirmed_at
        ? html`<p class="ok" role="status">${t("confirmed")}</p>`
        : html`<button onClick=${confirm}>${t("confirm")}</button>`)}
      <${Feedback} error=${confirmError} />
      ${!isParent && html`<p><a class="button" href=${`/posts/${id}/status`}>${t("status")}</a></p>`}
    </article>
    ${isParent && html`<${Replies} id=${id} allowReplies=${item.allow_replies} />`}`;
}

export function PostStatus({ id }) {
  const [version, setVersion] = useState(0);
  const { data, error } = useResource(`/posts/${id}/status`, version);
  // Confirmations come in while the teacher watches.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") setVersion((v) => v + 1);
    }, 10000);
    return () => clearInterval(timer);
  }, []);
  if (!data) return html`<${Status} error=${error} />`;
  const counts = data.counts;
  const boxes = [["parents", t("parents")], ["read", t("read")], ["not_read", t("not_read")]];
  if (data.ask_confirmation) boxes.push(["confirmed", t("confirmed_count")], ["not_confirmed", t("not_confirmed")]);
  boxes.push(["replied", t("replied")]);
  return html`<h1>${t("status")}</h1>
    <div class="counts">${boxes.map(([key, label]) => html`<div key=${key} data-count=${key}><strong>${counts[key]}</strong>${label}</div>`)}</div>
    <table>
      <thead><tr><th scope="col">${t("child")}</th><th scope="col">${t("parent")}</th><th scope="col">${t("read")}</th>
        ${data.ask_confirmation && html`<th scope="col">${t("confirmed_count")}</th>`}</tr></thead>
      <tbody>${data.rows.map((row) => html`<tr key=${`${row.child_id}-${row.parent_id}`}>
        <td>${row.child_name}</td><td>${row.parent_name}</td>
        <td>${row.read_at ? t("yes") : t("no")}</td>
        ${data.ask_confirmation && html`<td>${row.confirmed_at ? t("yes") : t("no")}</td>`}
      </tr>`)}</tbody>
    </table>
    <p><a href=${`/posts/${id}`}>${t("back")}</a></p>`;
}

export function Compose({ user }) {
  const { data: groups, error } = useResource("/groups");
  const { busy, error: failure, submit } = useSubmit(async (form) => {
    const toSchool = form.get("audience") === "school";
    const groupIds = form.getAll("group").map(Number);
    if (!toSchool && groupIds.length === 0) throw new Error(t("choose_group"));
    const created = await post("/posts", {
      kind: form.get("kind"),
      to_school: toSchool,
      group_ids: toSchool ? [] : groupIds,
      title: form.get("title"),
      body: form.get("body"),
      ask_confirmation: form.get("ask_confirmation") === "on",
      allow_replies: form.get("allow_replies") === "on",
    });
    navigate(`/posts/${created.id}/status`);
  });
  if (!groups) return html`<${Status} error=${error} />`;
  const mine = user.role === "admin" ? groups : groups.filter((group) => group.teacher_ids.includes(user.id));
  return html`<h1>${t("compose_title")}</h1>
    <form onSubmit=${submit}>
      <label>${t("kind")}
        <select name="kind">
          <option value="urgent">${t("urgent")}</option>
          <option value="message" defaultSelected>${t("message")}</option>
          <option value="news">${t("news_kind")}</option>
        </select></label>
      <fieldset><legend>${t("audience")}</legend>
        ${user.role === "admin" && html`<label class="check"><input type="radio" name="audience" value="school" /> ${t("whole_school")}</label>`}
        <label class="check"><input type="radio" name="audience" value="groups" defaultChecked /> ${t("group")}:</label>
        ${mine.map((group) => html`<label class="check" key=${group.id}><input type="checkbox" name="group" value=${group.id} defaultChecked=${mine.length === 1} /> ${group.name}</label>`)}
      </fieldset>
      <label>${t("title")}<input name="title" required maxlength="200" /></label>
      <label>${t("text")}<textarea name="body" required maxlength="20000"></textarea></label>
      <label class="check"><input type="checkbox" name="ask_confirmation" /> ${t("ask_confirmation")}</label>
      <label class="check"><input type="checkbox" name="allow_replies" /> ${t("allow_replies")}</label>
      <${Feedback} error=${failure} />
      <button type="submit" disabled=${busy}>${t("publish")}</button>
    </form>`;
}
