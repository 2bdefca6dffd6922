// Parent-teacher conferences. Parents: one invitation per child (on Home and here, all on one
// timeline), the slot picker (a double slot shows and takes two adjacent slots), booked
// "Booked – Cancel" until the planning is closed. Staff: open a round (days, windows, breaks,
// slot length, opening moment, deadline), set each child's note, double slot and need, the
// grid of slots with block, book for a family, move and cancel, remind, close.
import { html, useState } from "../vendor/htm-preact-3.1.1.mjs";
import { api, post, put } from "../lib/api.js";
import { errorText, formatDay, isoToSchoolTime, schoolTimeToIso, t } from "../lib/i18n.js";
import { school } from "../lib/school.js";
import { navigate } from "../lib/router.js";
import { Feedback, Status, useResource } from "../lib/ui.js";
import { AgendaSections } from "./agenda.js";

/** "15:10" at the school. */
const clock = (iso) => isoToSchoolTime(iso).slice(11);
/** "2026-03-10" at the school. */
const dayOf = (iso) => isoToSchoolTime(iso).slice(0, 10);
const longDay = (day) => formatDay(day, { weekday: "long", day: "numeric", month: "long" });
const span = (starts, ends) => `${clock(starts)}–${clock(ends)}`;

/** Slots grouped by their day at the school. */
function byDay(slots) {
  const days = [];
  for (const slot of slots) {
    const day = dayOf(slot.starts_at);
    if (days.at(-1)?.day !== day) days.push({ day, slots: [] });
    days.at(-1).slots.push(slot);
  }
  return days;
}

/** The end of a talk starting at `slot`: with a double slot, the end of the next one. */
function talkEnd(slots, slot, double) {
  if (!double) return slot.ends_at;
  return slots.find((next) => next.starts_at === slot.ends_at)?.ends_at || slot.ends_at;
}

function BookingLine({ invitation }) {
  const booking = invitation.booking;
  if (!booking) {
    if (invitation.round.phase !== "open") return html`<p class="meta">${t("talk_not_booked_closed")}</p>`;
    return html`<p class="meta">${invitation.need === "required" ? t("talk_required") : invitation.need === "not_needed" ? t("talk_not_needed") : t("talk_please_book")}</p>`;
  }
  const label = invitation.round.phase === "closed" ? t("talk_final") : t("talk_booked");
  return html`<p><strong>${label}</strong>${" "}${longDay(dayOf(booking.starts_at))}, ${span(booking.starts_at, booking.ends_at)}</p>`;
}

/** An invitation as a card: on Home and on the timeline. */
export function InvitationCard({ invitation, level = 2 }) {
  const Heading = `h${level}`;
  return html`<a class="card invitation" href=${`/conferences/${invitation.round.id}/children/${invitation.child_id}`}>
    <${Heading}>${!invitation.booking && invitation.round.phase === "open" && html`<span class="badge">${t("talk_invitation")}</span>`}
      ${t("talk_about", { name: invitation.child_name })}</${Heading}>
    <p class="meta">${invitation.round.title} · ${invitation.round.group_name}</p>
    <${BookingLine} invitation=${invitation} />
    ${invitation.close_talks.map((talk) => html`<p class="meta warn" key=${talk.starts_at}>${t("talk_close_to", { name: talk.child_name, time: span(talk.starts_at, talk.ends_at) })}</p>`)}
  </a>`;
}

/** On Home, for parents: the invitations still to book and the talks coming up. */
export function HomeInvitations({ data }) {
  if (!data || data.length === 0) return null;
  return html`<section aria-labelledby="home-talks"><h2 id="home-talks" class="section">${t("talks")}</h2>
    ${data.map((invitation) => html`<${InvitationCard} key=${`${invitation.round.id}-${invitation.child_id}`} invitation=${invitation} level=${3} />`)}
  </section>`;
}

export function Conferences({ user }) {
  return user.role === "parent" ? html`<${Timeline} />` : html`<${Rounds} user=${user} />`;
}

/** A parent's invitations on one timeline: booked talks by time, then those to book. */
function Timeline() {
  const { data, error } = useResource("/conference-invitations");
  if (!data) return html`<${AgendaSections} current="talks" /><${Status} error=${error} />`;
  return html`<${AgendaSections} current="talks" />
    <h1>${t("talks")}</h1>
    ${data.length === 0 && html`<p class="meta">${t("talks_empty")}</p>`}
    ${data.map((invitation) => html`<${InvitationCard} key=${`${invitation.round.id}-${invitation.child_id}`} invitation=${invitation} />`)}`;
}

/** One child's invitation with the slot picker. */
export function Invitation({ round, child }) {
  const [version, setVersion] = useState(0);
  const { data: invitation, error } = useResource(`/conferences/${round}/children/${child}`, version);
  const [outcome, setOutcome] = useState({});
  const [busy, setBusy] = useState(false);
  if (!invitation) return html`<${Status} error=${error} />`;
  const act = async (method, body, done) => {
    setBusy(true);
    setOutcome({});
    try {
      await api(method, `/conferences/${round}/children/${child}/booking`, body);
      setOutcome({ ok: done });
    } catch (failure) {
      // Taken meanwhile: the picker shows the slots as they are now.
      setOutcome({ error: errorText(failure) });
    }
    setBusy(false);
    setVersion((v) => v + 1);
  };
  const r = invitation.round;
  const booking = invitation.booking;
  const slots = invitation.slots;
  const own = (slot) => slot.state === "booked" && slot.child_id === invitation.child_id;
  return html`<p><a href="/conferences">← ${t("talks")}</a></p>
    <h1>${t("talk_about", { name: invitation.child_name })}</h1>
    <p class="meta">${r.title} · ${r.group_name}${r.location && ` · ${r.location}`}</p>
    ${r.message && html`<p class="prewrap">${r.message}</p>`}
    ${invitation.note && html`<div class="card note"><h2>${t("talk_note")}</h2><p class="prewrap">${invitation.note}</p></div>`}
    ${r.video_link && html`<p><a href=${r.video_link} rel="noopener noreferrer" target="_blank">${t("talk_video")}</a></p>`}
    ${invitation.double_slot && html`<p class="meta">${t("talk_double_explained", { minutes: r.slot_minutes * 2 })}</p>`}
    <${BookingLine} invitation=${invitation} />
    ${booking?.booked_by && html`<p class="meta">${t("talk_booked_by", { name: booking.booked_by })}</p>`}
    ${invitation.close_talks.map((talk) => html`<p class="warn" role="note" key=${talk.starts_at}>${t("talk_close_to", { name: talk.child_name, time: span(talk.starts_at, talk.ends_at) })}</p>`)}
    ${r.deadline_at && r.phase === "open" && html`<p class="meta">${t("talk_deadline", { time: `${longDay(dayOf(r.deadline_at))}, ${clock(r.deadline_at)}` })}</p>`}
    <div aria-live="polite"><${Feedback} ok=${outcome.ok} error=${outcome.error} /></div>
    ${byDay(slots).map(({ day, slots: daySlots }) => html`<section key=${day} aria-label=${longDay(day)}>
      <h2 class="month">${longDay(day)}</h2>
      <ul class="slots">${daySlots.map((slot) => {
        const mine = own(slot);
        const firstOfMine = mine && booking && slot.starts_at === booking.starts_at;
        const label = slot.bookable ? span(slot.starts_at, talkEnd(slots, slot, invitation.double_slot)) : span(slot.starts_at, slot.ends_at);
        return html`<li key=${slot.id} class=${`slot ${mine ? "mine" : slot.state}`}>
          <span class="slot-time">${label}</span>
          ${mine ? html`<span class="slot-state">${t("slot_booked_mine")}</span>
              ${firstOfMine && invitation.may_book && html`<button class="secondary" disabled=${busy} onClick=${() => act("DELETE", undefined, t("talk_cancelled"))}>${t("talk_cancel")}</button>`}`
            : slot.bookable ? html`<button disabled=${busy} aria-label=${`${booking ? t("talk_move_here") : t("talk_book")} ${label}`}
                onClick=${() => act("PUT", { slot_id: slot.id }, booking ? t("talk_moved") : t("talk_booked_ok"))}>${booking ? t("talk_move_here") : t("talk_book")}</button>
              ${invitation.double_slot && html`<span class="meta">${t("slot_double")}</span>`}`
            : html`<span class="slot-state meta">${slot.state === "free" ? t("slot_free_short") : t("slot_taken")}</span>`}
        </li>`;
      })}</ul></section>`)}`;
}

function RoundCard({ round }) {
  return html`<a class="card" href=${`/conferences/${round.id}`}>
    <h2>${round.phase === "not_open" && html`<span class="badge draft">${t("round_not_open")}</span>`}${round.phase === "closed" && html`<span class="badge">${t("round_closed")}</span>`}${round.title}</h2>
    <p class="meta">${round.group_name}${round.first_slot_at && ` · ${longDay(dayOf(round.first_slot_at))}`}</p>
    <p class="meta">${t("round_booked_count", { booked: round.booked_children, total: round.children })}</p>
  </a>`;
}

/** A day of a new round: date, window and one optional break. */
function DayFields({ index, onRemove }) {
  return html`<fieldset class="day-fields"><legend>${t("round_day", { n: index + 1 })}</legend>
    <label>${t("round_date")}<input type="date" name=${`date${index}`} required /></label>
    <div class="row">
      <label>${t("round_from")}<input type="time" name=${`from${index}`} required value="15:00" /></label>
      <label>${t("round_to")}<input type="time" name=${`to${index}`} required value="17:00" /></label>
    </div>
    <div class="row">
      <label>${t("round_break_from")}<input type="time" name=${`break_from${index}`} /></label>
      <label>${t("round_break_to")}<input type="time" name=${`break_to${index}`} /></label>
    </div>
    ${index > 0 && html`<button type="button" class="secondary" onClick=${onRemove}>${t("round_remove_day")}</button>`}
  </fieldset>`;
}

/** Tomorrow at the school's proposed opening time, as a datetime-local value. */
function proposedOpening() {
  const tomorrow = isoToSchoolTime(new Date(Date.now() + 86400000).toISOString()).slice(0, 10);
  return `${tomorrow}T${school.conference_opening_time || "19:00"}`;
}

function NewRound({ user, groups }) {
  const [days, setDays] = useState([0]);
  const [outcome, setOutcome] = useState({});
  const mine = user.role === "admin" ? groups : groups.filter((group) => group.teacher_ids.includes(user.id));
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const value = (name) => form.get(name) || null;
    try {
      const made = await post("/conferences", {
        group_id: Number(form.get("group")),
        title: form.get("title"),
        message: value("message"),
        location: value("location"),
        video_link: value("video_link"),
        slot_minutes: Number(form.get("slot_minutes")),
        opens_at: value("opens_at") && schoolTimeToIso(form.get("opens_at")),
        deadline_at: value("deadline_at") && schoolTimeToIso(form.get("deadline_at")),
        days: days.map((index) => ({
          date: form.get(`date${index}`),
          from: `${form.get(`from${index}`)}:00`,
          to: `${form.get(`to${index}`)}:00`,
          breaks: value(`break_from${index}`) && value(`break_to${index}`)
            ? [{ from: `${form.get(`break_from${index}`)}:00`, to: `${form.get(`break_to${index}`)}:00` }] : [],
        })),
      });
      navigate(`/conferences/${made.round.id}`);
    } catch (failure) {
      setOutcome({ error: errorText(failure) });
    }
  };
  return html`<details class="card">
    <summary>${t("round_new")}</summary>
    <form onSubmit=${submit}>
      <label>${t("round_group")}<select name="group">${mine.map((group) => html`<option key=${group.id} value=${group.id}>${group.name}</option>`)}</select></label>
      <label>${t("album_title")}<input name="title" required maxlength="200" value=${t("round_default_title")} /></label>
      <label>${t("round_message")}<textarea name="message" rows="3" maxlength="4000"></textarea></label>
      <label>${t("round_location")}<input name="location" maxlength="200" /></label>
      <label>${t("round_video_link")}<input name="video_link" type="url" placeholder="https://" maxlength="500" /></label>
      <label>${t("round_slot_minutes")}<input name="slot_minutes" type="number" min="5" max="120" value="10" required /></label>
      ${days.map((index, n) => html`<${DayFields} key=${index} index=${n === 0 ? 0 : index} onRemove=${() => setDays(days.filter((d) => d !== index))} />`)}
      <button type="button" class="secondary" onClick=${() => setDays([...days, Math.max(...days) + 1])}>${t("round_add_day")}</button>
      <label>${t("round_opens_at")}<input name="opens_at" type="datetime-local" value=${proposedOpening()} /></label>
      <label>${t("round_deadline")}<input name="deadline_at" type="datetime-local" /></label>
      <${Feedback} error=${outcome.error} />
      <button type="submit">${t("round_make")}</button>
    </form>
  </details>`;
}

function Rounds({ user }) {
  const { data: rounds, error } = useResource("/conferences");
  const { data: groups } = useResource("/groups");
  if (!rounds || !groups) return html`<${AgendaSections} current="talks" /><${Status} error=${error} />`;
  return html`<${AgendaSections} current="talks" />
    <h1>${t("talks")}</h1>
    <${NewRound} user=${user} groups=${groups} />
    ${rounds.length === 0 && html`<p class="meta">${t("rounds_empty")}</p>`}
    ${rounds.map((round) => html`<${RoundCard} key=${round.id} round=${round} />`)}`;
}

/** A child's row in the plan: need, double slot, note. */
function ChildSettings({ round, child, onSaved }) {
  const [outcome, setOutcome] = useState({});
  const save = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      onSaved(await put(`/conferences/${round}/children/${child.child_id}/settings`, {
        note: form.get("note") || null, double_slot: form.get("double") === "on", need: form.get("need"),
      }));
      setOutcome({ ok: t("saved") });
    } catch (failure) {
      setOutcome({ error: errorText(failure) });
    }
  };
  return html`<details class="child-plan"><summary>${child.name}${child.need === "required" && html` <span class="badge warn">${t("need_required")}</span>`}${child.double_slot && html` <span class="badge">${t("slot_double")}</span>`}
      <span class="meta"> · ${child.booking ? span(child.booking.starts_at, child.booking.ends_at) : t("not_booked")}</span></summary>
    <form onSubmit=${save}>
      <label>${t("talk_need")}<select name="need">
        ${["required", "optional", "not_needed"].map((need) => html`<option value=${need} selected=${child.need === need}>${t(`need_${need}`)}</option>`)}
      </select></label>
      <label class="check"><input type="checkbox" name="double" checked=${child.double_slot} />${t("talk_double")}</label>
      <label>${t("talk_note_for_parents")}<textarea name="note" rows="2" maxlength="2000">${child.note}</textarea></label>
      <p class="meta">${t("parents")}: ${child.parents.join(", ") || "–"}</p>
      <${Feedback} ok=${outcome.ok} error=${outcome.error} />
      <button type="submit">${t("save")}</button>
    </form>
  </details>`;
}

/** A slot in the teacher's grid, with what can be done with it. */
function PlanSlot({ id, slot, children, onChanged, setOutcome }) {
  const act = async (action, done) => {
    setOutcome({});
    try {
      onChanged(await action());
      setOutcome({ ok: done });
    } catch (failure) {
      setOutcome({ error: errorText(failure) });
    }
  };
  const bookFor = async (event) => {
    const child = Number(event.target.value);
    if (!child) return;
    await act(async () => {
      await put(`/conferences/${id}/children/${child}/booking`, { slot_id: slot.id });
      return api("GET", `/conferences/${id}`);
    }, t("talk_booked_for_parents"));
  };
  const label = span(slot.starts_at, slot.ends_at);
  // The second slot of a double talk: cancelled with its first.
  const booking = children.find((child) => child.child_id === slot.child_id)?.booking;
  const continued = slot.state === "booked" && booking && booking.starts_at !== slot.starts_at;
  return html`<li class=${`slot ${slot.state}`}>
    <span class="slot-time">${label}</span>
    ${continued && html`<span class="slot-state">${slot.child_name} ${t("slot_continued")}</span>`}
    ${slot.state === "booked" && !continued && html`<span class="slot-state">${slot.child_name}</span>
      <button class="secondary" aria-label=${`${t("talk_cancel")} ${slot.child_name} ${label}`} onClick=${() => window.confirm(t("talk_cancel_question", { name: slot.child_name })) && act(async () => {
        await api("DELETE", `/conferences/${id}/children/${slot.child_id}/booking`);
        return api("GET", `/conferences/${id}`);
      }, t("talk_cancelled"))}>${t("talk_cancel")}</button>`}
    ${slot.state === "blocked" && html`<span class="slot-state meta">${t("slot_blocked")}</span>
      <button class="secondary" aria-label=${`${t("slot_unblock")} ${label}`} onClick=${() => act(() => put(`/conferences/${id}/slots/${slot.id}/block`, { blocked: false }), t("saved"))}>${t("slot_unblock")}</button>`}
    ${slot.state === "free" && html`<select aria-label=${`${t("slot_book_for")} ${label}`} onChange=${bookFor}>
        <option value="">${t("slot_book_for")}</option>
        ${children.map((child) => html`<option key=${child.child_id} value=${child.child_id}>${child.booking ? t("slot_move_child", { name: child.name }) : child.name}</option>`)}
      </select>
      <button class="secondary" aria-label=${`${t("slot_block")} ${label}`} onClick=${() => act(() => put(`/conferences/${id}/slots/${slot.id}/block`, { blocked: true }), t("saved"))}>${t("slot_block")}</button>`}
  </li>`;
}

/** The teacher's plan of a round: slots by day, children, reminders and closing. */
export function RoundPlan({ id }) {
  const [version, setVersion] = useState(0);
  const [page, setPage] = useState(null);
  const { data, error } = useResource(`/conferences/${id}`, version);
  const [outcome, setOutcome] = useState({});
  const plan = page && page.round.id === Number(id) ? page : data;
  if (!plan) return html`<${Status} error=${error} />`;
  const r = plan.round;
  const missing = plan.children.filter((child) => plan.missing.includes(child.child_id));
  const changed = (next) => { setPage(next); setVersion((v) => v + 1); };
  const close = async () => {
    if (!window.confirm(t("round_close_question"))) return;
    try {
      changed(await post(`/conferences/${id}/close`));
      setOutcome({ ok: t("round_closed_done") });
    } catch (failure) {
      setOutcome({ error: errorText(failure) });
    }
  };
  const remind = async () => {
    try {
      const answer = await post(`/conferences/${id}/remind`);
      setOutcome({ ok: t("round_reminded", { count: answer.children }) });
      setVersion((v) => v + 1);
    } catch (failure) {
      setOutcome({ error: errorText(failure) });
    }
  };
  return html`<p><a href="/conferences">← ${t("talks")}</a></p>
    <h1>${r.title}</h1>
    <p class="meta">${r.group_name} · ${t(`phase_${r.phase}`)}${r.phase === "not_open" ? ` ${longDay(dayOf(r.opens_at))}, ${clock(r.opens_at)}` : ""}</p>
    <p class="meta">${t("round_booked_count", { booked: r.booked_children, total: r.children })}</p>
    <div aria-live="polite"><${Feedback} ok=${outcome.ok} error=${outcome.error} /></div>
    ${missing.length > 0 && html`<div class="card warn-card"><h2>${t("round_missing")}</h2>
      <p>${missing.map((child) => child.name).join(", ")}</p>
      ${r.phase !== "closed" && html`<button class="secondary" onClick=${remind}>${t("round_remind")}</button>`}</div>`}
    ${r.phase !== "closed" && html`<p><button onClick=${close}>${t("round_close")}</button></p>`}
    <h2>${t("round_slots")}</h2>
    ${byDay(plan.slots).map(({ day, slots }) => html`<section key=${day} aria-label=${longDay(day)}>
      <h3 class="month">${longDay(day)}</h3>
      <p><a href=${`/api/conferences/${id}/door-list?day=${day}`} target="_blank" rel="noopener">${t("round_door_list")}</a></p>
      <ul class="slots">${slots.map((slot) => html`<${PlanSlot} key=${slot.id} id=${id} slot=${slot} children=${plan.children} onChanged=${changed} setOutcome=${setOutcome} />`)}</ul>
    </section>`)}
    <h2>${t("round_children")}</h2>
    ${plan.children.map((child) => html`<${ChildSettings} key=${child.child_id} round=${id} child=${child} onSaved=${changed} />`)}`;
}
