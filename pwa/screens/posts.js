// The feed with pinned urgent notices, a post with confirm and reply, and for teachers:
// composing a post and following who read and confirmed it.
import { html, useEffect, useRef, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { api, get, patch, post } from "../lib/api.js";
import { errorText, formatDate, isoToSchoolTime, schoolTimeToIso, t } from "../lib/i18n.js";
import { navigate } from "../lib/router.js";
import { Feedback, Status, useResource, useSubmit } from "../lib/ui.js";
import { ComingUp } from "./agenda.js";
import { HomeInvitations } from "./conferences.js";

function KindBadge({ item }) {
  const labels = { urgent: t("urgent"), message: t("message"), news: t("news_kind") };
  return html`<span class=${`badge ${item.kind}`}>${labels[item.kind] || item.kind}</span>`;
}

/** The first names of the reader's children a post is for, when they are in different
 * groups (with one group, every post is for all of them). */
function childrenOf(item, children) {
  if (!children || item.group_ids.length === 0) return "";
  if (new Set(children.map((child) => child.group_id)).size < 2) return "";
  return children.filter((child) => item.group_ids.includes(child.group_id)).map((child) => child.first_name).join(", ");
}

function PostCard({ item, isParent, children }) {
  const unread = isParent && !item.read_at;
  const forChildren = isParent ? childrenOf(item, children) : "";
  return html`<a class=${`card ${item.kind === "urgent" && item.pinned ? "urgent" : ""} ${unread ? "unread" : ""}`} href=${`/posts/${item.id}`}>
    <h2>
      ${unread && html`<span class="dot" aria-hidden="true"></span><span class="visually-hidden">${t("unread")}: </span>`}
      <${KindBadge} item=${item} />
      ${item.scheduled && html`<span class="badge scheduled">${t("scheduled")}</span>`}
      ${item.title}
    </h2>
    <p class="meta">${forChildren && html`<strong>${t("for_children", { names: forChildren })}</strong> · `}${item.author_name ? `${item.author_name} · ` : ""}${item.scheduled ? t("scheduled_for", { time: formatDate(item.created_at) }) : formatDate(item.created_at)}</p>
    <p>${item.body.length > 160 ? `${item.body.slice(0, 159)}…` : item.body}</p>
    ${isParent && item.ask_confirmation && html`<p>${item.confirmed_at
      ? html`<span class="badge confirmed">✓ ${t("confirmed_badge")}</span>`
      : html`<span class="badge confirm">${t("please_confirm")}</span>`}</p>`}
  </a>`;
}

/** Posts per page of the feed (pinned notices come on top of the first page). */
const PAGE = 30;

/** The first page of Home (everything but news) or News, as the app loads it: also what a
 * post opens from when offline. */
export const feedPath = (kind) => `/posts?limit=${PAGE}&news=${kind === "news"}`;

/** The older pages of a feed, loaded when the list's end comes into view (or on a tap). */
function useOlderPages(firstPage, path) {
  const [older, setOlder] = useState({ pages: [], busy: false, error: "" });
  // Pulled to refresh: start again from the first page.
  useEffect(() => {
    const reset = () => setOlder({ pages: [], busy: false, error: "" });
    window.addEventListener("app-refresh", reset);
    return () => window.removeEventListener("app-refresh", reset);
  }, []);
  const last = older.pages.length ? older.pages[older.pages.length - 1] : firstPage;
  const done = !last || last.filter((item) => !item.pinned).length < PAGE;
  const loadMore = async () => {
    if (done || older.busy) return;
    const all = [firstPage, ...older.pages].flat();
    setOlder({ ...older, busy: true, error: "" });
    try {
      const page = await get(`${path}&before=${all[all.length - 1].id}`);
      setOlder((now) => ({ pages: [...now.pages, page], busy: false, error: "" }));
    } catch (failure) {
      setOlder((now) => ({ ...now, busy: false, error: failure.message }));
    }
  };
  return { items: older.pages.flat(), done, busy: older.busy, error: older.error, loadMore };
}

/** Calls `onSeen` whenever the element comes into view (the end of a list). */
function useSeen(onSeen) {
  const ref = useRef(null);
  useEffect(() => {
    if (!ref.current || !("IntersectionObserver" in window)) return undefined;
    const observer = new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && onSeen());
    observer.observe(ref.current);
    return () => observer.disconnect();
  });
  return ref;
}

export function Feed({ user, kind }) {
  const path = feedPath(kind);
  const { data, error } = useResource(path);
  const isParent = user.role === "parent";
  // Kept offline from the login on; only parents' cards name children.
  const { data: children } = useResource(isParent ? "/children" : null);
  const { data: conversations } = useResource(kind === "news" ? null : "/conversations");
  // Home shows the next three agenda items.
  const { data: comingUp } = useResource(kind === "news" ? null : "/agenda?limit=3");
  // Parents see their conference invitations on Home.
  const { data: invitations } = useResource(kind === "news" || !isParent ? null : "/conference-invitations");
  const older = useOlderPages(data, path);
  const end = useSeen(older.loadMore);
  // Everything on the screen at once (loaded side by side): nothing jumps when the
  // conversations or the children's names arrive after the posts.
  const ready = (kind === "news" || (conversations !== undefined && comingUp !== undefined && (!isParent || invitations !== undefined)))
    && (!isParent || children !== undefined);
  if (!data || !ready) return html`<${Status} error=${error} />`;
  const shown = [...data, ...older.items];
  // Urgent notices stay on top; the agenda's next items come right after them.
  const pinned = shown.filter((item) => item.pinned);
  const rest = shown.filter((item) => !item.pinned);
  return html`<h1 class="visually-hidden">${kind === "news" ? t("news") : t("home")}</h1>
    ${kind !== "news" && html`<${NewInConversations} data=${conversations} isParent=${isParent} />`}
    ${shown.length === 0 && html`<p class="meta">${t("nothing_yet")}</p>`}
    ${pinned.map((item) => html`<${PostCard} key=${item.id} item=${item} isParent=${isParent} children=${children} />`)}
    ${kind !== "news" && html`<${HomeInvitations} data=${invitations} />`}
    ${kind !== "news" && html`<${ComingUp} data=${comingUp} />`}
    ${rest.length > 0 && comingUp?.length > 0 && html`<h2 class="visually-hidden">${t("posts")}</h2>`}
    ${rest.map((item) => html`<${PostCard} key=${item.id} item=${item} isParent=${isParent} children=${children} />`)}
    ${!older.done && html`<div ref=${end} class="more">
      <button class="secondary" onClick=${older.loadMore} disabled=${older.busy}>${older.busy ? t("loading") : t("load_older")}</button>
      <${Feedback} error=${older.error} /></div>`}`;
}

/** Tells the app that what is unread in conversations may have changed (its tab count). */
function conversationsChanged() {
  window.dispatchEvent(new Event("conversations-changed"));
}

/** Conversation summaries: for a parent by post, for staff by parent (with the children). */
function ThreadCards({ threads, isParent, showPost = true, level = 3 }) {
  const Heading = `h${level}`;
  return html`<ul class="threads">${threads.map((thread) => html`<li key=${`${thread.post_id}-${thread.parent_id}`}>
    <a class=${`card thread ${thread.unread ? "unread" : ""}`}
      href=${isParent ? `/posts/${thread.post_id}#replies` : `/posts/${thread.post_id}/replies/${thread.parent_id}`}>
      <${Heading}>${thread.unread > 0 && html`<span class="badge unread">${t("new_count", { count: thread.unread })}</span>`}${isParent ? thread.post_title : thread.parent_name}</${Heading}>
      <p class="meta">${isParent ? "" : `${thread.child_names.join(", ")}${showPost ? ` · ${thread.post_title}` : ""} · `}${formatDate(thread.last_at)}</p>
      <p>${thread.last_from_staff && html`<strong>${thread.last_author_name || t("staff")}: </strong>`}${thread.last_message}</p>
    </a></li>`)}</ul>`;
}

/** On Home: the conversations with something new, and the way to all of them. */
function NewInConversations({ data, isParent }) {
  if (!data || data.threads.length === 0) return null;
  const fresh = data.threads.filter((thread) => thread.unread > 0).slice(0, 3);
  const all = html`<p><a href="/conversations">${t("all_conversations")} (${data.threads.length})</a></p>`;
  // Nothing new: only the way to the conversations, no section of its own.
  if (fresh.length === 0) return html`<div class="conversations">${all}</div>`;
  return html`<section aria-labelledby="conversations" class="conversations">
    <h2 id="conversations">${t("conversations")}</h2>
    <${ThreadCards} threads=${fresh} isParent=${isParent} />
    ${all}
  </section>`;
}

/** Every conversation of the reader, unread first. */
export function Conversations({ user }) {
  const { data, error } = useResource("/conversations");
  if (!data) return html`<${Status} error=${error} />`;
  return html`<h1>${t("conversations")}</h1>
    ${data.threads.length === 0
      ? html`<p class="meta">${t("no_conversations")}</p>`
      : html`<${ThreadCards} threads=${data.threads} isParent=${user.role === "parent"} level=${2} />`}`;
}

/** One parent's thread on a post: the messages as a chat, and the form to write in it. */
function Thread({ postId, parentId, isParent, canWrite }) {
  const [version, setVersion] = useState(0);
  const query = parentId ? `?parent_id=${parentId}` : "";
  const { data } = useResource(`/posts/${postId}/replies${query}`, version);
  useEffect(() => {
    if (!data) return;
    // Reading the thread marked it read.
    conversationsChanged();
    // Opened from an answer's notification or a conversation: the thread is what to see.
    if (window.location.hash === "#replies") document.getElementById("replies")?.scrollIntoView();
  }, [data]);
  const { busy, error, submit } = useSubmit(async (fields, form) => {
    const body = { body: fields.get("body") };
    if (parentId) body.parent_id = Number(parentId);
    await post(`/posts/${postId}/replies`, body);
    form.reset();
    setVersion((v) => v + 1);
  });
  // A parent's empty thread on a post that takes no replies: nothing at all.
  if (!data || (!canWrite && data.length === 0)) return null;
  const chat = html`${data.length === 0 && !isParent && html`<p class="meta">${t("no_replies_yet")}</p>`}
    <ol class="chat">${data.map((reply) => {
      const own = isParent ? !reply.from_staff : reply.from_staff;
      const who = own ? t("you") : reply.from_staff ? reply.author_name || t("staff") : reply.author_name;
      return html`<li key=${reply.id} class=${`bubble ${own ? "own" : "theirs"}`}>
        <p class="meta">${who} · ${formatDate(reply.created_at)}</p>
        <p class="body">${reply.body}</p></li>`;
    })}</ol>
    ${canWrite && html`<form onSubmit=${submit}>
      <label>${isParent ? t("your_reply") : t("your_answer")}<textarea name="body" required maxlength="5000"></textarea></label>
      <${Feedback} error=${error} />
      <button type="submit" disabled=${busy}>${t("send")}</button>
    </form>`}`;
  if (!isParent) return chat;
  return html`<section aria-labelledby="replies-heading" id="replies">
    <h2 id="replies-heading">${t("replies")}</h2>${chat}</section>`;
}

/** For staff under the post: the threads of the families in their care. */
function PostConversations({ id, allowReplies }) {
  const { data } = useResource(`/conversations?post_id=${id}`);
  if (!data || (!allowReplies && data.threads.length === 0)) return null;
  return html`<section aria-labelledby="replies-heading" id="replies">
    <h2 id="replies-heading">${t("conversations")}</h2>
    ${data.threads.length === 0
      ? html`<p class="meta">${t("no_replies_yet")}</p>`
      : html`<${ThreadCards} threads=${data.threads} isParent=${false} showPost=${false} />`}
  </section>`;
}

/** Staff: one parent's thread on a post, to read and answer. */
export function Conversation({ id, parentId }) {
  const { data, error } = useResource(`/conversations?post_id=${id}`);
  if (!data) return html`<${Status} error=${error} />`;
  const thread = data.threads.find((one) => String(one.parent_id) === String(parentId));
  if (!thread) return html`<p class="error" role="alert">${t("errors.not_found")}</p>`;
  return html`<h1>${t("conversation_with", { name: thread.parent_name })}</h1>
    <p class="meta">${thread.child_names.join(", ")}</p>
    <p><a href=${`/posts/${id}`}>${t("about_post", { title: thread.post_title })}</a></p>
    <${Thread} postId=${id} parentId=${parentId} isParent=${false} canWrite=${true} />`;
}

/** For the author and admins: change the title or text, or delete the post for everyone. */
function ManagePost({ item, onChanged }) {
  const [mode, setMode] = useState("idle");
  const [outcome, setOutcome] = useState({});
  const save = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      const change = { title: form.get("title"), body: form.get("body") };
      if (item.scheduled) change.publish_at = schoolTimeToIso(form.get("publish_at"));
      await patch(`/posts/${item.id}`, change);
      setMode("idle");
      setOutcome({ ok: t(item.kind === "urgent" && !item.scheduled ? "saved_pushed" : "saved") });
      onChanged();
    } catch (failure) {
      setOutcome({ error: failure.message });
    }
  };
  const remove = async () => {
    try {
      await api("DELETE", `/posts/${item.id}`);
      navigate("/", { replace: true });
    } catch (failure) {
      setOutcome({ error: failure.message });
    }
  };
  if (mode === "edit") {
    return html`<form onSubmit=${save} class="card">
      <label>${t("title")}<input name="title" required maxlength="200" defaultValue=${item.title} /></label>
      <label>${t("text")}<textarea name="body" required maxlength="20000" defaultValue=${item.body}></textarea></label>
      ${item.scheduled && html`<label>${t("send_at")}<input type="datetime-local" name="publish_at" required defaultValue=${isoToSchoolTime(item.created_at)} /></label>`}
      ${item.kind === "urgent" && !item.scheduled && html`<p class="meta">${t("edit_pushes")}</p>`}
      <${Feedback} error=${outcome.error} />
      <div class="row"><button type="submit">${t("save")}</button>
        <button type="button" class="secondary" onClick=${() => setMode("idle")}>${t("cancel")}</button></div>
    </form>`;
  }
  return html`<div class="manage">
    ${mode === "confirm-delete"
      ? html`<p class="notice" role="alert">${t("delete_question")}</p>
        <div class="row"><button class="danger" onClick=${remove}>${t("delete_yes")}</button>
          <button class="secondary" onClick=${() => setMode("idle")}>${t("cancel")}</button></div>`
      : html`<div class="row"><button class="secondary" onClick=${() => { setOutcome({}); setMode("edit"); }}>${t("edit")}</button>
          <button class="secondary" onClick=${() => setMode("confirm-delete")}>${t("delete")}</button></div>`}
    <${Feedback} ok=${outcome.ok} error=${outcome.error} />
  </div>`;
}

export function PostDetail({ id, user }) {
  const [version, setVersion] = useState(0);
  const [confirmError, setConfirmError] = useState("");
  // Offline, a post not opened before opens from the feed kept on the device.
  const fromFeed = async () => {
    for (const kind of ["home", "news"]) {
      const found = (await get(feedPath(kind)).catch(() => [])).find((one) => String(one.id) === String(id));
      if (found) return found;
    }
    return undefined;
  };
  const { data: item, error } = useResource(`/posts/${id}`, version, fromFeed);
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
      <h1><${KindBadge} item=${item} />${item.scheduled && html`<span class="badge scheduled">${t("scheduled")}</span>`}${item.title}</h1>
      <p class="meta">${item.author_name ? `${item.author_name} · ` : ""}${formatDate(item.created_at)}</p>
      ${item.scheduled && html`<p class="scheduled-note">${t("scheduled_status", { time: formatDate(item.created_at) })}</p>`}
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
    ${(user.role === "admin" || item.author_id === user.id) && html`<${ManagePost} item=${item} onChanged=${() => setVersion((v) => v + 1)} />`}
    ${isParent
      ? html`<${Thread} postId=${id} isParent=${true} canWrite=${item.allow_replies} />`
      : html`<${PostConversations} id=${id} allowReplies=${item.allow_replies} />`}`;
}

/** One parent of a child on the status page: read, confirmed, and a number to call. */
function ParentStatus({ row, askConfirmation }) {
  return html`<li>
    <strong>${row.parent_name}</strong>
    <span class="meta"> · ${row.read_at ? t("read_at", { time: formatDate(row.read_at) }) : t("not_read")}</span>
    ${askConfirmation && html`<span class=${row.confirmed_at ? "meta" : "waiting"}> · ${row.confirmed_at ? t("confirmed_at", { time: formatDate(row.confirmed_at) }) : t("not_confirmed")}</span>`}
    ${row.parent_phone && html` · <a href=${`tel:${row.parent_phone.replace(/\s/g, "")}`}>${t("call", { phone: row.parent_phone })}</a>`}
  </li>`;
}

/** The teacher asks those who have not confirmed once more (push and e-mail). */
function RemindButton({ id, waiting, remindedAt, onSent }) {
  const [outcome, setOutcome] = useState({});
  const [busy, setBusy] = useState(false);
  const remind = async () => {
    setBusy(true);
    try {
      const sent = await post(`/posts/${id}/remind`);
      setOutcome({ ok: t("reminded", { count: sent.parents }) });
      onSent();
    } catch (failure) {
      setOutcome({ error: failure.message });
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="remind">
    <button onClick=${remind} disabled=${busy}>${t("remind", { count: waiting })}</button>
    ${remindedAt && html`<p class="meta">${t("last_reminder", { time: formatDate(remindedAt) })}</p>`}
    <${Feedback} ok=${outcome.ok} error=${outcome.error} />
  </div>`;
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
  const { counts, delivery } = data;
  const total = counts.parents;
  const boxes = [["read", t("of_read", { total })]];
  if (data.ask_confirmation) boxes.push(["confirmed", t("of_confirmed", { total })]);
  if (data.allow_replies) boxes.push(["replied", t("replied")]);
  // One card per child with its parents; children still waiting for a confirmation first.
  const children = [];
  for (const row of data.rows) {
    let child = children.find((one) => one.id === row.child_id);
    if (!child) children.push((child = { id: row.child_id, name: row.child_name, rows: [] }));
    child.rows.push(row);
  }
  const waiting = (child) => data.ask_confirmation && child.rows.every((row) => !row.confirmed_at);
  children.sort((a, b) => Number(waiting(b)) - Number(waiting(a)));
  return html`<h1><${KindBadge} item=${data} />${data.title}</h1>
    ${data.scheduled
      ? html`<p class="scheduled-note" role="status">${t("scheduled_status", { time: formatDate(data.created_at) })}</p>`
      : html`<p class="meta" data-count="parents">${t("sent_to", { count: counts.parents })} · ${formatDate(data.created_at)}</p>`}
    <div class="counts">${boxes.map(([key, label]) => html`<div key=${key} data-count=${key}><strong>${counts[key]}</strong>${label}</div>`)}</div>
    <p class="meta delivery">${t("push_delivery", { sent: delivery.push_sent, pending: delivery.push_pending, failed: delivery.push_failed })}<br />
      ${t("email_delivery", { sent: delivery.email_sent, pending: delivery.email_pending, failed: delivery.email_failed })}</p>
    ${data.ask_confirmation && !data.scheduled && (counts.not_confirmed > 0
      ? html`<${RemindButton} id=${id} waiting=${counts.not_confirmed} remindedAt=${data.reminded_at} onSent=${() => setVersion((v) => v + 1)} />`
      : html`<p class="ok">${t("all_confirmed")}</p>`)}
    <h2>${t("by_child")}</h2>
    <ul class="children-status">${children.map((child) => html`<li key=${child.id} class=${`card ${waiting(child) ? "needs-confirmation" : ""}`}>
      <h3>${child.name}</h3>
      <ul>${child.rows.map((row) => html`<${ParentStatus} key=${row.parent_id} row=${row} askConfirmation=${data.ask_confirmation} />`)}</ul>
    </li>`)}</ul>
    <p><a href=${`/posts/${id}`}>${t("back")}</a></p>`;
}

/** What the author wrote, as the API takes it; `null` with a reason when incomplete. */
function draftFrom(form) {
  const toSchool = form.get("audience") === "school";
  const groupIds = form.getAll("group").map(Number);
  if (!toSchool && groupIds.length === 0) throw new Error(t("choose_group"));
  const later = form.get("publish_at") ? schoolTimeToIso(form.get("publish_at")) : null;
  if (later && new Date(later) <= new Date()) throw new Error(errorText({ code: "publish_at_in_past" }));
  return {
    kind: form.get("kind"),
    to_school: toSchool,
    group_ids: toSchool ? [] : groupIds,
    title: form.get("title"),
    body: form.get("body"),
    ask_confirmation: form.get("ask_confirmation") === "on",
    allow_replies: form.get("allow_replies") === "on",
    // As the author typed it (school time), and as the API takes it.
    send_later: form.get("publish_at") || "",
    publish_at: later,
  };
}

/** The post as parents will see it, whom it reaches, and the button that sends it. */
function ReviewPost({ draft, onBack }) {
  const [state, setState] = useState({ busy: false, error: "" });
  const send = async () => {
    setState({ busy: true, error: "" });
    let created;
    try {
      const { send_later: _typed, ...request } = draft.post;
      created = await post("/posts", request);
    } catch (failure) {
      setState({ busy: false, error: failure.message });
      return;
    }
    // The post is out; its files follow (parents see them when they open it).
    for (const file of draft.files) {
      const data = new FormData();
      data.append("file", file, file.name);
      try {
        await post(`/posts/${created.id}/attachments`, data);
      } catch (failure) {
        setState({ busy: false, error: t("attach_failed", { name: file.name, reason: failure.message }), sent: created.id });
        return;
      }
    }
    navigate(`/posts/${created.id}/status`);
  };
  const { post: item, reach } = draft;
  return html`<h1>${t("review_title")}</h1>
    <article class=${`card ${item.kind === "urgent" ? "urgent" : ""}`} aria-label=${t("preview")}>
      <h2><${KindBadge} item=${item} />${item.title}</h2>
      <p class="body">${item.body}</p>
      ${draft.files.length > 0 && html`<ul>${draft.files.map((file) => html`<li key=${file.name}>${file.name}</li>`)}</ul>`}
      ${item.ask_confirmation && html`<p><span class="badge confirm">${t("please_confirm")}</span></p>`}
    </article>
    <p class=${item.kind === "urgent" ? "notice" : ""} role="status">${item.publish_at
      ? t("reach_scheduled", { time: formatDate(item.publish_at), parents: reach.parents, children: reach.children })
      : t(item.kind === "urgent" ? "reach_urgent" : "reach_other", { parents: reach.parents, children: reach.children })}</p>
    ${state.error && html`<p class="error" role="alert">${state.error}</p>`}
    ${state.sent
      ? html`<p><a class="button" href=${`/posts/${state.sent}/status`}>${t("status")}</a></p>`
      : html`<div class="row">
        <button onClick=${send} disabled=${state.busy}>${state.busy ? t("sending")
          : t(item.publish_at ? "schedule_send" : item.kind === "urgent" ? "send_urgent" : "send_now", { parents: reach.parents })}</button>
        <button class="secondary" onClick=${onBack} disabled=${state.busy}>${t("change")}</button></div>`}`;
}

export function Compose({ user }) {
  const { data: groups, error } = useResource("/groups");
  // Written, counted and waiting to be checked; kept when going back to change it.
  const [draft, setDraft] = useState(null);
  const [reviewing, setReviewing] = useState(false);
  const { busy, error: failure, submit } = useSubmit(async (form) => {
    const next = draftFrom(form);
    const reach = await post("/posts/reach", { to_school: next.to_school, group_ids: next.group_ids });
    const chosen = form.getAll("files").filter((file) => file.size > 0);
    // Back from checking, the files chosen before stay unless others are chosen.
    setDraft({ post: next, reach, files: chosen.length ? chosen : draft?.files || [] });
    setReviewing(true);
  });
  if (!groups) return html`<${Status} error=${error} />`;
  if (reviewing && draft) return html`<${ReviewPost} draft=${draft} onBack=${() => setReviewing(false)} />`;
  const mine = user.role === "admin" ? groups : groups.filter((group) => group.teacher_ids.includes(user.id));
  const was = draft?.post;
  return html`<h1>${t("compose_title")}</h1>
    <form onSubmit=${submit}>
      <label>${t("kind")}
        <select name="kind">
          ${[["urgent", t("urgent")], ["message", t("message")], ["news", t("news_kind")]].map(([value, label]) => html`
            <option key=${value} value=${value} defaultSelected=${value === (was?.kind || "message")}>${label}</option>`)}
        </select></label>
      <fieldset><legend>${t("audience")}</legend>
        ${user.role === "admin" && html`<label class="check"><input type="radio" name="audience" value="school" defaultChecked=${was?.to_school} /> ${t("whole_school")}</label>`}
        <label class="check"><input type="radio" name="audience" value="groups" defaultChecked=${!was?.to_school} /> ${t("group")}:</label>
        ${mine.map((group) => html`<label class="check" key=${group.id}><input type="checkbox" name="group" value=${group.id}
          defaultChecked=${was ? was.group_ids.includes(group.id) : mine.length === 1} /> ${group.name}</label>`)}
      </fieldset>
      <label>${t("title")}<input name="title" required maxlength="200" defaultValue=${was?.title || ""} /></label>
      <label>${t("text")}<textarea name="body" required maxlength="20000" defaultValue=${was?.body || ""}></textarea></label>
      <label>${t("attach_files")}<input type="file" name="files" multiple
        accept="image/*,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods" /></label>
      ${draft?.files.length > 0 && html`<p class="meta">${t("files_kept", { names: draft.files.map((file) => file.name).join(", ") })}</p>`}
      <label class="check"><input type="checkbox" name="ask_confirmation" defaultChecked=${was?.ask_confirmation} /> ${t("ask_confirmation")}</label>
      <label class="check"><input type="checkbox" name="allow_replies" defaultChecked=${was?.allow_replies} /> ${t("allow_replies")}</label>
      <label>${t("send_later")}<input type="datetime-local" name="publish_at" aria-describedby="send-later-help" defaultValue=${was?.send_later || ""} /></label>
      <p class="meta" id="send-later-help">${t("send_later_help")}</p>
      <${Feedback} error=${failure} />
      <button type="submit" disabled=${busy}>${t("review")}</button>
    </form>`;
}
