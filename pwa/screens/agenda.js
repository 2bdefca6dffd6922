// The agenda: what is coming up (grouped by month, marked with the child it concerns), one
// item with "add to my calendar", the staff's form to add or change items, and the
// personal calendar subscription.
import { html, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { api, get, post, put } from "../lib/api.js";
import { formatDay as day, t } from "../lib/i18n.js";
import { navigate } from "../lib/router.js";
import { Feedback, Status, useResource, useSubmit } from "../lib/ui.js";


const clock = (time) => time.slice(0, 5);

/** When one occurrence takes place: "Wed 21 Oct · 19:00–20:30", "Mon 11 – Wed 13 May". */
export function whenText(starts, ends, item) {
  if (item.all_day) {
    return starts === ends ? `${day(starts)} · ${t("all_day")}` : `${day(starts)} – ${day(ends)}`;
  }
  if (starts === ends) return `${day(starts)} · ${clock(item.start_time)}–${clock(item.end_time)}`;
  return `${day(starts)} ${clock(item.start_time)} – ${day(ends)} ${clock(item.end_time)}`;
}

function repeatText(item) {
  const every = t(item.repeat.every_weeks === 2 ? "repeat_biweekly" : "repeat_weekly");
  const until = day(item.repeat.until, { day: "numeric", month: "long", year: "numeric" });
  const text = t("repeat_until_text", { every, until });
  if (item.repeat.skip.length === 0) return text;
  return `${text}. ${t("not_on", { dates: item.repeat.skip.map((skip) => day(skip, { day: "numeric", month: "short" })).join(", ") })}`;
}

function ItemCard({ occurrence, level = 2 }) {
  const { item } = occurrence;
  const Heading = `h${level}`;
  return html`<a class=${`card agenda-item ${item.cancelled ? "cancelled" : ""}`} href=${`/agenda/${item.id}`}>
    <p class="when">${whenText(occurrence.starts_on, occurrence.ends_on, item)}</p>
    <${Heading}>${item.cancelled && html`<span class="badge cancelled">${t("cancelled")}</span>`}<span class="title">${item.title}</span></${Heading}>
    ${(item.place || item.children.length > 0) && html`<p class="meta">${[item.place, item.children.length > 0 && t("for_children", { names: item.children.map((c) => c.first_name).join(", ") })].filter(Boolean).join(" · ")}</p>`}
  </a>`;
}

/** On Home: the next three items, and the way to the whole agenda. */
export function ComingUp({ data }) {
  if (!data || data.length === 0) return null;
  return html`<section aria-labelledby="coming-up" class="coming-up">
    <h2 id="coming-up">${t("coming_up")}</h2>
    ${data.map((occurrence) => html`<${ItemCard} key=${`${occurrence.item.id}-${occurrence.starts_on}`} occurrence=${occurrence} level=${3} />`)}
    <p><a href="/agenda">${t("whole_agenda")}</a></p>
  </section>`;
}

export function Agenda({ user }) {
  const { data, error } = useResource("/agenda");
  if (!data) return html`<${Status} error=${error} />`;
  const months = [];
  for (const occurrence of data) {
    const month = day(occurrence.starts_on, { month: "long", year: "numeric" });
    if (months.length === 0 || months[months.length - 1].month !== month) months.push({ month, items: [] });
    months[months.length - 1].items.push(occurrence);
  }
  return html`<${AgendaSections} current="agenda" />
    <h1>${t("agenda")}</h1>
    <div class="row manage">
      <a class="button secondary-link" href="/agenda/subscribe">${t("agenda_subscribe")}</a>
      ${user.role !== "parent" && html`<a class="button" href="/agenda/new">${t("agenda_new")}</a>`}
    </div>
    ${data.length === 0 && html`<p class="meta">${t("agenda_empty")}</p>`}
    ${months.map(({ month, items }) => html`<section key=${month} aria-label=${month}>
      <h2 class="month">${month}</h2>
      ${items.map((occurrence) => html`<${ItemCard} key=${`${occurrence.item.id}-${occurrence.starts_on}`} occurrence=${occurrence} level=${3} />`)}
    </section>`)}`;
}

export function AgendaItem({ id }) {
  const [version, setVersion] = useState(0);
  // Offline, an item not opened before opens from the agenda kept on the device.
  const fromList = async () => (await get("/agenda")).find((o) => String(o.item.id) === String(id))?.item;
  const { data: item, error } = useResource(`/agenda/${id}`, version, fromList);
  const [outcome, setOutcome] = useState({});
  const [asking, setAsking] = useState(false);
  if (!item) return html`<${Status} error=${error} />`;
  const act = async (action) => {
    setOutcome({});
    try {
      await action();
      setVersion((v) => v + 1);
    } catch (failure) {
      setOutcome({ error: failure.message });
    }
  };
  const remove = () => act(async () => {
    await api("DELETE", `/agenda/${id}`);
    navigate("/agenda", { replace: true });
  });
  return html`<article class=${item.cancelled ? "cancelled" : ""}>
    <h1>${item.cancelled && html`<span class="badge cancelled">${t("cancelled")}</span>`}<span class="title">${item.title}</span></h1>
    <p class="when">${whenText(item.starts_on, item.ends_on, item)}</p>
    ${item.repeat && html`<p>${repeatText(item)}</p>`}
    ${item.place && html`<p><strong>${t("place")}:</strong> ${item.place}</p>`}
    ${item.children.length > 0 && html`<p class="meta">${t("for_children", { names: item.children.map((c) => c.first_name).join(", ") })}</p>`}
    ${item.description && html`<p class="body">${item.description}</p>`}
    <p><a class="button" href=${`/api/agenda/${id}/ics`} download>${t("add_to_calendar")}</a></p>
    ${item.may_manage && html`<section class="card" aria-labelledby="manage-item">
      <h2 id="manage-item">${t("manage_item")}</h2>
      <div class="row">
        <a class="button secondary-link" href=${`/agenda/${id}/edit`}>${t("edit")}</a>
        ${item.cancelled
          ? html`<button class="secondary" onClick=${() => act(() => post(`/agenda/${id}/restore`))}>${t("restore_item")}</button>`
          : html`<button class="secondary" onClick=${() => act(() => post(`/agenda/${id}/cancel`))}>${t("cancel_item")}</button>`}
        <button class="danger" onClick=${() => setAsking(true)}>${t("delete")}</button>
      </div>
      ${asking && html`<div role="alertdialog" aria-labelledby="delete-item-question">
        <p id="delete-item-question">${t("delete_item_question")}</p>
        <div class="row"><button class="danger" onClick=${remove}>${t("delete_item_yes")}</button>
          <button class="secondary" onClick=${() => setAsking(false)}>${t("cancel")}</button></div>
      </div>`}
    </section>`}
    <${Feedback} error=${outcome.error} />
    <p><a href="/agenda">${t("back")}</a></p>
  </article>`;
}

/** The item a form describes, as the API takes it. */
function itemFrom(form, skips) {
  const toSchool = form.get("audience") === "school";
  const groupIds = form.getAll("group").map(Number);
  if (!toSchool && groupIds.length === 0) throw new Error(t("choose_group"));
  const allDay = form.get("all_day") === "on";
  const withSeconds = (time) => (time ? `${time}:00`.slice(0, 8) : null);
  const repeat = form.get("repeat");
  return {
    to_school: toSchool,
    group_ids: toSchool ? [] : groupIds,
    title: form.get("title"),
    description: form.get("description") || "",
    place: form.get("place") || "",
    starts_on: form.get("starts_on"),
    ends_on: form.get("ends_on") || null,
    start_time: allDay ? null : withSeconds(form.get("start_time")),
    end_time: allDay ? null : withSeconds(form.get("end_time")),
    repeat: repeat === "none" ? null : { every_weeks: Number(repeat), until: form.get("until"), skip: skips },
  };
}

/** Adds an item, or changes item `id`. */
export function AgendaForm({ user, id }) {
  const { data: groups, error } = useResource("/groups");
  const { data: was, error: loadError } = useResource(id ? `/agenda/${id}` : null);
  const [allDay, setAllDay] = useState(null);
  const [repeat, setRepeat] = useState(null);
  const [skips, setSkips] = useState(null);
  const [skipDraft, setSkipDraft] = useState("");
  const { busy, error: failure, submit } = useSubmit(async (form) => {
    const body = itemFrom(form, skips ?? was?.repeat?.skip ?? []);
    const saved = id ? await put(`/agenda/${id}`, body) : await post("/agenda", body);
    navigate(`/agenda/${saved.id}`, { replace: Boolean(id) });
  });
  if (!groups || (id && !was)) return html`<${Status} error=${error || loadError} />`;
  const mine = user.role === "admin" ? groups : groups.filter((group) => group.teacher_ids.includes(user.id));
  const isAllDay = allDay ?? (was ? was.all_day : false);
  const rhythm = repeat ?? (was?.repeat ? String(was.repeat.every_weeks) : "none");
  const left = skips ?? was?.repeat?.skip ?? [];
  return html`<h1>${id ? t("agenda_change") : t("agenda_new")}</h1>
    <form onSubmit=${submit}>
      <fieldset><legend>${t("audience")}</legend>
        ${user.role === "admin" && html`<label class="check"><input type="radio" name="audience" value="school" defaultChecked=${was?.to_school} /> ${t("whole_school")}</label>`}
        <label class="check"><input type="radio" name="audience" value="groups" defaultChecked=${!was?.to_school} /> ${t("group")}:</label>
        ${mine.map((group) => html`<label class="check" key=${group.id}><input type="checkbox" name="group" value=${group.id}
          defaultChecked=${was ? was.group_ids.includes(group.id) : mine.length === 1} /> ${group.name}</label>`)}
      </fieldset>
      <label>${t("title")}<input name="title" required maxlength="200" defaultValue=${was?.title || ""} /></label>
      <label>${t("date")}<input type="date" name="starts_on" required defaultValue=${was?.starts_on || ""} /></label>
      <label class="check"><input type="checkbox" name="all_day" checked=${isAllDay} onChange=${(e) => setAllDay(e.target.checked)} /> ${t("all_day")}</label>
      ${!isAllDay && html`<div class="row times">
        <label>${t("start_time")}<input type="time" name="start_time" required defaultValue=${was?.start_time ? clock(was.start_time) : ""} /></label>
        <label>${t("end_time")}<input type="time" name="end_time" required defaultValue=${was?.end_time ? clock(was.end_time) : ""} /></label>
      </div>`}
      <label>${t("last_day")}<input type="date" name="ends_on" defaultValue=${was && was.ends_on !== was.starts_on ? was.ends_on : ""} /></label>
      <label>${t("repeat")}
        <select name="repeat" onChange=${(e) => setRepeat(e.target.value)}>
          ${[["none", t("repeat_none")], ["1", t("repeat_weekly")], ["2", t("repeat_biweekly")]].map(([value, label]) => html`
            <option key=${value} value=${value} selected=${value === rhythm}>${label}</option>`)}
        </select></label>
      ${rhythm !== "none" && html`<fieldset><legend>${t("repeat")}</legend>
        <label>${t("repeat_until")}<input type="date" name="until" required defaultValue=${was?.repeat?.until || ""} /></label>
        <div class="row">
          <label>${t("skip_date")}<input type="date" value=${skipDraft} onInput=${(e) => setSkipDraft(e.target.value)} /></label>
          <button type="button" class="secondary" disabled=${!skipDraft} onClick=${() => { setSkips([...new Set([...left, skipDraft])].sort()); setSkipDraft(""); }}>${t("skip_add")}</button>
        </div>
        ${left.length > 0 && html`<ul class="skips">${left.map((skip) => html`<li key=${skip}>${day(skip)}
          <button type="button" class="secondary" aria-label=${`${t("remove")}: ${day(skip)}`} onClick=${() => setSkips(left.filter((other) => other !== skip))}>${t("remove")}</button></li>`)}</ul>`}
      </fieldset>`}
      <label>${t("place")}<input name="place" maxlength="200" defaultValue=${was?.place || ""} /></label>
      <label>${t("description")}<textarea name="description" maxlength="5000" defaultValue=${was?.description || ""}></textarea></label>
      <${Feedback} error=${failure} />
      <div class="row"><button type="submit" disabled=${busy}>${t("save")}</button>
        <a href=${id ? `/agenda/${id}` : "/agenda"}>${t("cancel")}</a></div>
    </form>`;
}

/** The personal calendar links: make one (all children or one), copy it, open it in the
 * calendar app, help per app; the links made before, to stop or renew. */
export function Subscribe({ user }) {
  const [version, setVersion] = useState(0);
  const { data: feeds, error } = useResource("/agenda/feeds", version);
  const { data: children } = useResource(user.role === "parent" ? "/children" : null);
  const [made, setMade] = useState(null);
  const [copied, setCopied] = useState(false);
  const [outcome, setOutcome] = useState({});
  if (!feeds || (user.role === "parent" && !children)) return html`<${Status} error=${error} />`;
  const make = async (childId) => {
    setOutcome({});
    setCopied(false);
    try {
      setMade(await post("/agenda/feeds", { child_id: childId ?? null }));
      setVersion((v) => v + 1);
    } catch (failure) {
      setOutcome({ error: failure.message });
    }
  };
  const revoke = async (feed) => {
    setOutcome({});
    try {
      await api("DELETE", `/agenda/feeds/${feed.id}`);
      if (made?.feed.id === feed.id) setMade(null);
      setOutcome({ ok: t("feed_revoked") });
      setVersion((v) => v + 1);
    } catch (failure) {
      setOutcome({ error: failure.message });
    }
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(made.https_url);
      setCopied(true);
    } catch {
      // No clipboard (e.g. not https): the link is selectable in the field.
      document.getElementById("feed-url")?.select();
    }
  };
  const nameOf = (childId) => children?.find((child) => child.id === childId)?.full_name;
  const scope = (feed) => (feed.child_id ? t("feed_child", { name: nameOf(feed.child_id) || "" }) : t("feed_all"));
  return html`<h1>${t("subscribe_title")}</h1>
    <p>${t("subscribe_intro")}</p>
    <form onSubmit=${(event) => { event.preventDefault(); const v = new FormData(event.target).get("scope"); make(v ? Number(v) : null); }}>
      ${children && children.length > 1 && html`<label>${t("subscribe_scope")}
        <select name="scope"><option value="">${t("feed_all")}</option>
          ${children.map((child) => html`<option key=${child.id} value=${child.id}>${t("feed_child", { name: child.full_name })}</option>`)}
        </select></label>`}
      <button type="submit">${t("subscribe_make")}</button>
    </form>
    ${made && html`<section class="card feed-made" aria-labelledby="feed-made">
      <h2 id="feed-made">${t("subscribe_ready")}</h2>
      <label>${t("subscribe_link")}<input id="feed-url" readOnly value=${made.https_url} onFocus=${(e) => e.target.select()} /></label>
      <div class="row">
        <button type="button" onClick=${copy}>${t("subscribe_copy")}</button>
        <a class="button secondary-link" href=${made.webcal_url}>${t("subscribe_open")}</a>
      </div>
      ${copied && html`<p class="ok" role="status">${t("copied")}</p>`}
      <p class="meta">${t("subscribe_shown_once")}</p>
    </section>`}
    <section aria-labelledby="feed-help">
      <h2 id="feed-help">${t("subscribe_how")}</h2>
      <ul class="help">
        <li><strong>Google:</strong> ${t("help_google")}</li>
        <li><strong>Apple:</strong> ${t("help_apple")}</li>
        <li><strong>Outlook:</strong> ${t("help_outlook")}</li>
      </ul>
    </section>
    ${feeds.length > 0 && html`<section aria-labelledby="feeds">
      <h2 id="feeds">${t("feeds_active")}</h2>
      ${feeds.map((feed) => html`<div class="card" key=${feed.id}>
        <h3>${scope(feed)}</h3>
        <p class="meta">${feed.last_used_at ? t("feed_used", { when: day(feed.last_used_at.slice(0, 10), { day: "numeric", month: "long" }) }) : t("feed_never")}</p>
        <div class="row">
          <button class="secondary" onClick=${() => make(feed.child_id)}>${t("feed_renew")}</button>
          <button class="secondary" onClick=${() => revoke(feed)}>${t("feed_revoke")}</button>
        </div></div>`)}
    </section>`}
    <${Feedback} ok=${outcome.ok} error=${outcome.error} />
    <p><a href="/agenda">${t("back")}</a></p>`;
}

/** Agenda and Documents share the tab: two links on top to switch. */
export function AgendaSections({ current }) {
  return html`<nav class="segments" aria-label=${t("agenda_sections")}>
    <a href="/agenda" aria-current=${current === "agenda" ? "page" : undefined}>${t("agenda")}</a>
    <a href="/documents" aria-current=${current === "documents" ? "page" : undefined}>${t("documents")}</a>
    <a href="/albums" aria-current=${current === "albums" ? "page" : undefined}>${t("albums")}</a>
    <a href="/conferences" aria-current=${current === "talks" ? "page" : undefined}>${t("talks")}</a>
  </nav>`;
}
