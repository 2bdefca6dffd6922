// The PWA in headless Debian Chromium at phone size (390×844), against a running server
// that `tests/api/pwa.rs` starts and fills: a class with a teacher and a parent, a pinned
// urgent notice that asks for confirmation, a message and a news item.
//
// Run through `cargo nextest run` (the Rust test passes BASE_URL and the accounts in the
// environment); screenshots go to SCREENSHOTS (the README shows docs/screenshots).

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const BASE = process.env.BASE_URL;
const PASSWORD = process.env.PASSWORD;
const PARENT = process.env.PARENT_EMAIL;
const TEACHER = process.env.TEACHER_EMAIL;
const ADMIN = process.env.ADMIN_EMAIL;
const URGENT_ID = process.env.URGENT_POST_ID;
const URGENT_TITLE = process.env.URGENT_TITLE;
const SCHOOL_NAME = process.env.SCHOOL_NAME;
const ACTIVATION_TOKEN = process.env.ACTIVATION_TOKEN;
const PWA_DIR = process.env.PWA_DIR;
const RESET_EMAIL = process.env.RESET_EMAIL;
const RESET_TOKEN = process.env.RESET_TOKEN;
const SCREENSHOTS = process.env.SCREENSHOTS || "screenshots-tmp";
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

let browser;

before(async () => {
  assert.ok(BASE, "BASE_URL must be set (run through cargo nextest)");
  await mkdir(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
});

const ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";
const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

async function phone(locale = "en-GB", userAgent = undefined) {
  const context = await browser.newContext({ ...PHONE, locale, baseURL: BASE, userAgent });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return { context, page, errors };
}

async function login(page, email, password = PASSWORD) {
  await page.goto("/login");
  await page.getByLabel(/e-mail/i).fill(email);
  await page.getByLabel(/password|wachtwoord|passwort/i).fill(password);
  await page.getByRole("button", { name: /log in|inloggen|anmelden/i }).click();
  await atPath(page, "/");
}

/** Waits until the app shows `path` (screens change with the History API, not page loads). */
async function atPath(page, path) {
  await page.waitForFunction((wanted) => window.location.pathname === wanted, path);
}

async function shot(page, name) {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
}

/** Serious and critical accessibility problems axe-core finds on the page. */
async function seriousViolations(page) {
  // Evaluated through the DevTools protocol, so the app's Content-Security-Policy (which
  // refuses inline scripts) stays on.
  await page.evaluate(await readFile(require.resolve("axe-core/axe.min.js"), "utf8"));
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((violation) => ["serious", "critical"].includes(violation.impact))
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/** Waits until the service worker controls the page (after the first load it takes over). */
async function controlledBySw(page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  if (!(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)))) {
    await page.reload();
    await page.waitForFunction(() => Boolean(navigator.serviceWorker.controller));
  }
}

/** Polls `check` in the page until it returns something truthy (it may be async). */
async function until(page, check, argument, what) {
  for (let attempt = 0; attempt < 150; attempt += 1) {
    const value = await page.evaluate(check, argument).catch(() => null);
    if (value) return value;
    await page.waitForTimeout(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The six-digit code an authenticator app shows now for a base32 key (RFC 6238, SHA-1). */
function authenticatorCode(key) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...key.replace(/[\s=]/g, "")].map((c) => alphabet.indexOf(c).toString(2).padStart(5, "0")).join("");
  const secret = Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[19] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1e6).padStart(6, "0");
}

/** The teacher's Bearer headers for the API, and the groups, to post from a test. */
async function teacherApi() {
  const session = await (await fetch(`${BASE}/api/auth/login`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: TEACHER, password: PASSWORD }),
  })).json();
  const bearer = { Authorization: `Bearer ${session.token}`, "Content-Type": "application/json" };
  const groups = await (await fetch(`${BASE}/api/groups`, { headers: bearer })).json();
  return { bearer, groups };
}

function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString(), "PNG");
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test("every text of the app is there in Dutch, German and English", async () => {
  // The module reads the browser's language when loaded.
  globalThis.navigator ??= { languages: ["en"] };
  globalThis.document ??= { documentElement: {} };
  const { TEXTS } = await import(join(PWA_DIR, "lib/i18n.js"));
  const keys = (node, prefix = "") => Object.entries(node).flatMap(([key, value]) =>
    typeof value === "object" ? keys(value, `${prefix}${key}.`) : [`${prefix}${key}`]).sort();
  const english = keys(TEXTS.en);
  for (const code of ["nl", "de"]) assert.deepEqual(keys(TEXTS[code]), english, code);
});

test("the manifest makes the app installable with 192, 512 and maskable icons", async () => {
  const response = await fetch(`${BASE}/manifest.webmanifest`);
  assert.equal(response.status, 200);
  const manifest = await response.json();
  // Called after the school on the home screen, not after the software.
  assert.equal(manifest.name, SCHOOL_NAME);
  assert.equal(manifest.short_name, SCHOOL_NAME);
  assert.equal(manifest.display, "standalone");
  assert.equal(manifest.scope, "/");
  assert.ok(manifest.start_url.startsWith("/"));
  assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/i);
  assert.match(manifest.background_color, /^#[0-9a-f]{6}$/i);
  const sizes = new Set();
  for (const icon of manifest.icons) {
    const bytes = Buffer.from(await (await fetch(`${BASE}${icon.src}`)).arrayBuffer());
    const [width, height] = pngSize(bytes);
    assert.equal(`${width}x${height}`, icon.sizes, `${icon.src} is really ${icon.sizes}`);
    sizes.add(`${icon.sizes} ${icon.purpose}`);
  }
  for (const wanted of ["192x192 any", "512x512 any", "512x512 maskable"]) assert.ok(sizes.has(wanted), wanted);

  // Chromium itself finds nothing that stops installation.
  const { context, page } = await phone();
  await page.goto("/login");
  await page.evaluate(() => navigator.serviceWorker.ready);
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  // Test browser contexts are incognito, where Chromium never offers installation.
  const errors = installabilityErrors.map((error) => error.errorId).filter((id) => id !== "in-incognito");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a parent logs in, sees the urgent notice pinned on top and confirms it; the teacher sees the confirmation", async () => {
  const { context, page, errors } = await phone();
  // Notifications are asked for only when the user presses the button, never on a screen.
  await context.addInitScript(() => {
    window.permissionRequests = 0;
    const ask = Notification.requestPermission.bind(Notification);
    Notification.requestPermission = (...args) => {
      window.permissionRequests += 1;
      return ask(...args);
    };
  });
  await page.goto("/login");
  await shot(page, "login");
  assert.deepEqual(await seriousViolations(page), [], "login page accessibility");
  await login(page, PARENT);
  const first = page.locator("main a.card").first();
  await first.waitFor();
  await assert.doesNotReject(first.getByText(URGENT_TITLE).waitFor({ timeout: 5000 }));
  assert.match(await first.getAttribute("class"), /urgent/);
  // Badges: what kind it is, that it waits for a confirmation, and (children in two
  // classes) which child it is for; unread without a second "New" badge beside "News".
  await first.locator(".badge.urgent", { hasText: "Urgent" }).waitFor();
  await first.locator(".badge.confirm", { hasText: "Please confirm" }).waitFor();
  await first.getByText("For Kim").waitFor();
  assert.match(await first.innerText(), /^Unread:/);
  const swimming = page.locator("main a.card", { hasText: "Swimming lessons" });
  await swimming.getByText("For Mia").waitFor();
  assert.equal(await page.locator("main a.card", { hasText: "Sports day" }).count(), 0, "news is under News");
  await shot(page, "home");
  assert.deepEqual(await seriousViolations(page), [], "home accessibility");

  await first.click();
  await atPath(page, `/posts/${URGENT_ID}`);
  await page.getByRole("button", { name: "Confirm receipt" }).click();
  await page.getByText("You confirmed receipt.").waitFor();
  // The notice takes no replies: no empty "Replies" section.
  assert.equal(await page.getByRole("heading", { name: "Replies" }).count(), 0);
  await shot(page, "post");
  assert.deepEqual(await seriousViolations(page), [], "post accessibility");
  await page.getByRole("link", { name: "Home" }).click();
  const confirmedCard = page.locator("main a.card").first();
  await confirmedCard.locator(".badge.confirmed", { hasText: "Confirmed" }).waitFor();
  assert.doesNotMatch(await confirmedCard.innerText(), /Unread/);

  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("heading", { name: "My details" }).waitFor();
  await page.getByRole("button", { name: "Get notifications on this device" }).waitFor();
  assert.equal(await page.evaluate(() => window.permissionRequests), 0, "no permission prompt without the button");
  // The name prefix is a field of its own, kept after a reload.
  await page.getByLabel("Name prefix (van, de, von)").fill("de");
  await page.getByRole("button", { name: "Save" }).first().click();
  await page.getByText("Saved.").first().waitFor();
  await page.reload();
  await page.getByRole("heading", { name: "My details" }).waitFor();
  assert.equal(await page.getByLabel("Name prefix (van, de, von)").inputValue(), "de");
  // An e-mail setting saves with a visible "saved", and stays after a reload.
  const emails = page.locator("section", { has: page.getByRole("heading", { name: "E-mails" }) });
  await emails.getByLabel("News").uncheck();
  await emails.getByText("Saved.").waitFor();
  await page.reload();
  assert.equal(await page.locator("section", { has: page.getByRole("heading", { name: "E-mails" }) }).getByLabel("News").isChecked(), false);
  await page.locator("section", { has: page.getByRole("heading", { name: "E-mails" }) }).getByLabel("News").check();
  await shot(page, "account");
  assert.deepEqual(await seriousViolations(page), [], "account accessibility");
  await page.getByRole("link", { name: "Children" }).click();
  await page.getByRole("heading", { name: "Kim van der Kind" }).waitFor();
  await page.locator("main a.card").first().click();
  await page.getByRole("heading", { name: "Emergency numbers" }).waitFor();
  await page.getByRole("heading", { name: "Kim van der Kind", level: 1 }).waitFor();
  // The group's name as the school wrote it, not "Class Groep 3a".
  assert.equal(await page.locator("main p.meta").first().innerText(), "Groep 3a");
  await shot(page, "child");
  assert.deepEqual(errors, []);
  await context.close();

  const teacher = await phone();
  await login(teacher.page, TEACHER);
  await teacher.page.goto(`/posts/${URGENT_ID}/status`);
  const confirmed = teacher.page.locator('[data-count="confirmed"] strong');
  await confirmed.waitFor();
  assert.equal(await confirmed.innerText(), "1");
  await teacher.page.getByRole("heading", { level: 1, name: URGENT_TITLE }).waitFor();
  // Anna, Bea, and the parent of the class who has not activated yet.
  assert.match(await teacher.page.locator('[data-count="parents"]').innerText(), /^Sent to 3 parents/);
  await teacher.page.getByText(/^Push messages: \d+ delivered/).waitFor();
  // A card per child with its parents; the child still waiting for a confirmation first.
  const waitingChild = teacher.page.locator(".children-status > li").first();
  await waitingChild.getByText("Not confirmed").waitFor();
  await teacher.page.getByRole("button", { name: "Remind the 2 who have not confirmed" }).click();
  await teacher.page.getByText("Reminder sent to those who have not confirmed (2)").waitFor();
  await teacher.page.getByText(/^Last reminder: /).waitFor();
  // Not twice in a row: the reason, in words.
  await teacher.page.getByRole("button", { name: "Remind the 2 who have not confirmed" }).click();
  await teacher.page.getByRole("alert").getByText("less than 15 minutes ago").waitFor();
  await shot(teacher.page, "status");
  assert.deepEqual(await seriousViolations(teacher.page), [], "status accessibility");
  // A teacher's account: only what applies to staff (no parents' notice e-mails or push).
  await teacher.page.getByRole("link", { name: "Account" }).click();
  await teacher.page.getByRole("heading", { name: "Notices" }).waitFor();
  assert.equal(await teacher.page.getByRole("heading", { name: "E-mails" }).count(), 0);
  assert.equal(await teacher.page.getByRole("button", { name: "Get notifications on this device" }).count(), 0);
  await teacher.page.getByRole("link", { name: "New post" }).click();
  await teacher.page.getByRole("heading", { name: "New post" }).waitFor();
  await shot(teacher.page, "compose");
  assert.deepEqual(await seriousViolations(teacher.page), [], "compose accessibility");
  await teacher.context.close();
});

test("offline, a reload shows the app shell and the feed loaded before, with an offline banner", async () => {
  const { context, page, errors } = await phone();
  await login(page, PARENT);
  await controlledBySw(page);
  await page.locator("main a.card").first().waitFor();
  await page.getByRole("link", { name: "News" }).click();
  await page.getByText("Sports day was a success").click();
  await page.getByText("Thank you to all parents who helped.").waitFor();
  // A news item opened from News keeps News highlighted, not Home.
  assert.equal(await page.locator('nav.tabs a[aria-current="page"] .tab-label').innerText(), "News");
  await page.getByRole("link", { name: "Home" }).click();
  await page.locator("main a.card").first().click();
  await page.getByRole("heading", { level: 1, name: URGENT_TITLE }).waitFor();
  assert.equal(await page.locator('nav.tabs a[aria-current="page"] .tab-label').innerText(), "Home");
  await page.getByRole("link", { name: "Home" }).click();
  await context.setOffline(true);
  await page.reload();
  await page.getByText("You are offline. You see what was loaded before.").waitFor();
  await page.getByText(URGENT_TITLE).waitFor();
  await shot(page, "offline");
  // A message never opened on this phone opens from the feed kept on it.
  await page.getByText("Library on Tuesday").click();
  await page.getByRole("heading", { level: 1, name: "Library on Tuesday" }).waitFor();
  await page.getByText("Please bring the library books back on Tuesday.").waitFor();
  // The children were kept at login, before their screen was ever opened; a child's page
  // opens from that list.
  await page.getByRole("link", { name: "Children" }).click();
  await page.locator("main a.card").first().click();
  await page.getByRole("heading", { name: "Emergency numbers" }).waitFor();
  // What was never loaded: one message that says so, no red error beside it.
  await page.goto("/children/999999");
  await page.getByText("You are offline, and this screen was not loaded before.").waitFor();
  assert.equal(await page.getByRole("alert").count(), 0);
  assert.equal(await page.locator(".banner").count(), 1);
  await shot(page, "offline-not-kept");
  await context.setOffline(false);
  // Online again, the screen loads by itself (here: the child does not exist).
  await page.getByRole("alert").waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("a push message shows a notification for the post, and clicking it opens the post", async () => {
  const { context, page } = await phone();
  await context.grantPermissions(["notifications"], { origin: BASE });
  await login(page, PARENT);
  await controlledBySw(page);
  const cdp = await context.newCDPSession(page);
  const registration = new Promise((resolve) => {
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const ours = registrations.find((r) => r.scopeURL === `${BASE}/` && !r.isDeleted);
      if (ours) resolve(ours.registrationId);
    });
  });
  await cdp.send("ServiceWorker.enable");
  const registrationId = await registration;
  const notice = { post_id: Number(URGENT_ID), kind: "urgent", title: URGENT_TITLE, body: "Pick up your child.", url: `/posts/${URGENT_ID}` };
  await cdp.send("ServiceWorker.deliverPushMessage", { origin: BASE, registrationId, data: JSON.stringify(notice) });

  const shown = await until(page, async (tag) => {
    const list = await (await navigator.serviceWorker.ready).getNotifications({ tag });
    return list.length ? { title: list[0].title, body: list[0].body, url: list[0].data.url } : null;
  }, `post-${URGENT_ID}`, "the notification");
  assert.deepEqual(shown, { title: URGENT_TITLE, body: "Pick up your child.", url: `/posts/${URGENT_ID}` });

  // Headless Chromium has no notification centre to click in: the worker gets a
  // notificationclick event for the shown notification, as the browser would send on a click.
  const [worker] = context.serviceWorkers();
  await page.goto("/news");
  await worker.evaluate(async (tag) => {
    const [notification] = await self.registration.getNotifications({ tag });
    const click = new NotificationEvent("notificationclick", { notification });
    // A script's event may not extend its own life: keep what the handler waits for.
    let handled;
    Object.defineProperty(click, "waitUntil", { value: (promise) => { handled = promise; } });
    self.dispatchEvent(click);
    if (!handled) throw new Error("the notificationclick handler did not run");
    await handled;
  }, `post-${URGENT_ID}`);
  await atPath(page, `/posts/${URGENT_ID}`);
  await page.getByRole("heading", { name: URGENT_TITLE }).waitFor();
  await context.close();
});

test("an invited parent activates the account from the letter's link, in German", async () => {
  const { context, page, errors } = await phone("de-DE");
  await page.goto(`/activate#token=${ACTIVATION_TOKEN}`);
  await page.getByRole("heading", { name: "Konto aktivieren" }).waitFor();
  await page.getByLabel("Neues Passwort", { exact: true }).fill("Herbst-Ferien-2026");
  await page.getByLabel("Neues Passwort wiederholen").fill("Herbst-Ferien-2027");
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "Konto aktivieren" }).click();
  await page.getByText("Die beiden Passwörter sind nicht gleich.").waitFor();
  await page.getByLabel("Neues Passwort wiederholen").fill("Herbst-Ferien-2026");
  await page.getByRole("button", { name: "Konto aktivieren" }).click();
  await atPath(page, "/");
  await page.getByRole("link", { name: "Aktuelles" }).waitFor();
  await page.getByText(URGENT_TITLE).waitFor();
  await shot(page, "activated-de");
  assert.deepEqual(await seriousViolations(page), [], "German home accessibility");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a Dutch browser gets the login in Dutch, and a wrong password says so in Dutch", async () => {
  const { context, page } = await phone("nl-NL");
  const consoleErrors = [];
  page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
  await page.goto("/");
  await atPath(page, "/login");
  await page.getByRole("heading", { name: "Inloggen" }).waitFor();
  // The start asks who is logged in without a failed request in the console.
  assert.deepEqual(consoleErrors, []);
  await page.getByLabel("E-mailadres").fill(PARENT);
  await page.getByLabel("Wachtwoord").fill("not-the-password");
  await page.getByRole("button", { name: "Inloggen" }).click();
  await page.getByRole("alert").getByText("Verkeerd e-mailadres of wachtwoord.").waitFor();
  await context.close();
});

test("a parent replies, the teacher sees it as new and answers in the conversation, the parent reads the answer", async () => {
  const parent = await phone();
  await login(parent.page, PARENT);
  await parent.page.getByText("Library on Tuesday").click();
  await parent.page.getByLabel("Your reply").fill("Tom's book is at his grandmother's, he brings it Wednesday.");
  await parent.page.getByRole("button", { name: "Send" }).click();
  await parent.page.locator(".bubble.own").getByText("Tom's book is at his grandmother's").waitFor();

  const teacher = await phone();
  await login(teacher.page, TEACHER);
  // Home counts the new message on its tab and lists the conversation on top.
  await teacher.page.getByRole("link", { name: /Home\s*, 1 unread/ }).waitFor();
  const conversation = teacher.page.locator(".conversations a.card").first();
  await conversation.getByText("Tom's book is at his grandmother's").waitFor();
  await conversation.getByText("1 new").waitFor();
  await shot(teacher.page, "conversations-home");
  await conversation.click();
  await teacher.page.getByRole("heading", { level: 1, name: /^Conversation with / }).waitFor();
  await teacher.page.locator(".bubble.theirs").getByText("Tom's book is at his grandmother's").waitFor();
  // Read now: the count is gone; the conversation belongs to Home.
  await teacher.page.locator("nav.tabs .count").waitFor({ state: "detached" });
  assert.equal(await teacher.page.locator('nav.tabs a[aria-current="page"] .tab-label').innerText(), "Home");
  await teacher.page.getByLabel("Your answer").fill("No problem, Wednesday is fine.");
  await teacher.page.getByRole("button", { name: "Send" }).click();
  await teacher.page.locator(".bubble.own").getByText("No problem, Wednesday is fine.").waitFor();
  await shot(teacher.page, "conversation");
  assert.deepEqual(await seriousViolations(teacher.page), [], "conversation accessibility");
  // On the post, the teacher finds the conversations of its families.
  await teacher.page.getByRole("link", { name: "About: Library on Tuesday" }).click();
  await teacher.page.getByRole("heading", { level: 2, name: "Conversations" }).waitFor();

  // The parent: the answer is new on Home, and read once the thread is open.
  await parent.page.goto("/");
  await parent.page.getByRole("link", { name: /Home\s*, 1 unread/ }).waitFor();
  await parent.page.locator(".conversations a.card").first().click();
  await parent.page.locator(".bubble.theirs").getByText("No problem, Wednesday is fine.").waitFor();
  await parent.page.locator("nav.tabs .count").waitFor({ state: "detached" });
  await parent.context.close();
  await teacher.context.close();
});

test("a teacher posts an urgent notice in a few taps, and it is on top of the parent's home", async () => {
  const parent = await phone();
  await login(parent.page, PARENT);
  const teacher = await phone();
  await login(teacher.page, TEACHER);
  await teacher.page.getByRole("link", { name: "New post" }).click();
  // A message unless the teacher chooses otherwise: never an urgent notice by accident.
  assert.equal(await teacher.page.getByLabel("Kind").inputValue(), "message");
  await teacher.page.getByLabel("Kind").selectOption("urgent");
  await teacher.page.getByLabel("Title").fill("Heating broken: classes end at 13:00");
  await teacher.page.getByLabel("Text").fill("Please pick up your child at 13:00.");
  await teacher.page.getByLabel("Ask parents to confirm receipt").check();
  await teacher.page.getByLabel("Photos and files (optional)").setInputFiles({
    name: "pick-up-times.pdf", mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"),
  });
  await teacher.page.getByRole("button", { name: "Check before sending" }).click();
  // Checked before it goes: as parents will see it, and to how many.
  await teacher.page.getByRole("heading", { level: 1, name: "Check and send" }).waitFor();
  await teacher.page.getByText("This urgent notice goes at once to 3 parents of 3 children").waitFor();
  await teacher.page.getByText("pick-up-times.pdf").waitFor();
  await shot(teacher.page, "compose-review");
  assert.deepEqual(await seriousViolations(teacher.page), [], "review accessibility");
  // Back to change it: what was written is still there.
  await teacher.page.getByRole("button", { name: "Change" }).click();
  assert.equal(await teacher.page.getByLabel("Title").inputValue(), "Heating broken: classes end at 13:00");
  await teacher.page.getByText("Attached: pick-up-times.pdf").waitFor();
  await teacher.page.getByRole("button", { name: "Check before sending" }).click();
  await teacher.page.getByRole("button", { name: "Send urgent notice to 3 parents" }).click();
  await teacher.page.getByRole("heading", { level: 1, name: "Heating broken: classes end at 13:00" }).waitFor();
  assert.match(await teacher.page.locator('[data-count="parents"]').innerText(), /^Sent to 3 parents/);
  assert.equal(await teacher.page.locator('[data-count="confirmed"] strong').innerText(), "0");

  await parent.page.goto("/");
  const first = parent.page.locator("main a.card").first();
  await first.getByText("Heating broken: classes end at 13:00").waitFor();
  assert.match(await first.getAttribute("class"), /urgent/);
  // The file came with it.
  await first.click();
  await parent.page.getByRole("link", { name: "pick-up-times.pdf" }).waitFor();

  // The author changes the text after sending; parents are told by push.
  await teacher.page.getByRole("link", { name: "Back" }).click();
  await teacher.page.getByRole("button", { name: "Change" }).click();
  await teacher.page.getByText("Parents get a push message that this urgent notice was updated.").waitFor();
  await teacher.page.getByLabel("Text").fill("Please pick up your child at 12:30.");
  await teacher.page.getByRole("button", { name: "Save" }).click();
  await teacher.page.getByText("Saved. Parents get a push message about the update.").waitFor();
  await teacher.page.getByText("Please pick up your child at 12:30.").waitFor();
  await parent.page.reload();
  await parent.page.getByText("Please pick up your child at 12:30.").waitFor();

  // A post sent by mistake is deleted for everyone, after a question.
  const { bearer, groups } = await teacherApi();
  const mistake = await (await fetch(`${BASE}/api/posts`, {
    method: "POST", headers: bearer,
    body: JSON.stringify({ kind: "message", group_ids: [groups.find((g) => g.name === "Groep 3a").id], title: "Sent by mistake", body: "Ignore this." }),
  })).json();
  await teacher.page.goto(`/posts/${mistake.id}`);
  await teacher.page.getByRole("button", { name: "Delete" }).click();
  await teacher.page.getByText("Delete this post for everyone?").waitFor();
  await shot(teacher.page, "delete-question");
  await teacher.page.getByRole("button", { name: "Yes, delete for everyone" }).click();
  await atPath(teacher.page, "/");
  await parent.page.goto("/");
  await parent.page.locator("main a.card").first().waitFor();
  assert.equal(await parent.page.getByText("Sent by mistake").count(), 0);
  await parent.context.close();
  await teacher.context.close();
});

test("a new version of the app waits for the user's reload, and the open session goes on", async () => {
  const { context, page, errors } = await phone();
  await login(page, PARENT);
  await controlledBySw(page);
  const oldCaches = await page.evaluate(() => caches.keys());
  // Any change to the app's files makes a new version (the server stamps the worker).
  const stylesheet = join(PWA_DIR, "app.css");
  await writeFile(stylesheet, `${await readFile(stylesheet, "utf8")}\n/* changed */\n`);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
  await page.getByText("A new version of the app is ready.").waitFor();
  // Until then the page keeps working with the version it started with.
  await page.getByRole("link", { name: "News" }).click();
  await page.getByText("Sports day was a success").waitFor();
  await page.getByRole("button", { name: "Reload" }).click();
  await until(page, async (before) => {
    const shells = (await caches.keys()).filter((name) => name.startsWith("shell-"));
    return shells.length === 1 && !before.includes(shells[0]);
  }, oldCaches, "the new version's cache to replace the old one");
  await page.getByRole("link", { name: "Account" }).waitFor();
  await page.getByText("Sports day was a success").waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("a teacher schedules a message for tomorrow morning: only the teacher sees it until then, and can move it", async () => {
  const teacher = await phone();
  await login(teacher.page, TEACHER);
  const parent = await phone();
  await login(parent.page, PARENT);
  // Tomorrow and the day after as the school's calendar has them.
  const schoolDay = (days) => new Date(Date.now() + days * 86400000).toLocaleDateString("en-CA", { timeZone: "Europe/Amsterdam" });
  await teacher.page.getByRole("link", { name: "New post" }).click();
  await teacher.page.getByLabel("Title").fill("Bring gym clothes");
  await teacher.page.getByLabel("Text").fill("Tomorrow we have gym: please pack gym clothes and shoes.");
  await teacher.page.getByLabel("Send later (optional)").fill(`${schoolDay(1)}T08:00`);
  await teacher.page.getByRole("button", { name: "Check before sending" }).click();
  await teacher.page.getByText("This goes out tomorrow, 08:00 to 3 parents of 3 children (counted now).").waitFor();
  await shot(teacher.page, "compose-scheduled");
  await teacher.page.getByRole("button", { name: "Schedule for 3 parents" }).click();
  await teacher.page.getByText("Scheduled: this goes out tomorrow, 08:00. Until then nobody else sees it.").waitFor();
  // On the teacher's home, marked; not on the parent's.
  await teacher.page.getByRole("link", { name: "Home" }).click();
  const card = teacher.page.locator("main a.card", { hasText: "Bring gym clothes" });
  await card.getByText("Scheduled", { exact: true }).waitFor();
  await card.getByText("Goes out tomorrow, 08:00").waitFor();
  await parent.page.reload();
  await parent.page.locator("main a.card").first().waitFor();
  assert.equal(await parent.page.getByText("Bring gym clothes").count(), 0);
  // Moved to the day after, at 08:15.
  await card.click();
  await teacher.page.getByRole("button", { name: "Change" }).click();
  assert.equal(await teacher.page.getByLabel("Send at").inputValue(), `${schoolDay(1)}T08:00`);
  await teacher.page.getByLabel("Send at").fill(`${schoolDay(2)}T08:15`);
  await teacher.page.getByRole("button", { name: "Save" }).click();
  await teacher.page.getByText("Saved.", { exact: true }).waitFor();
  await teacher.page.getByText(/Scheduled: this goes out .*08:15/).waitFor();
  await shot(teacher.page, "post-scheduled");
  assert.deepEqual(await seriousViolations(teacher.page), [], "scheduled post accessibility");
  // A time in the past is refused before anything is sent.
  await teacher.page.getByRole("link", { name: "New post" }).click();
  await teacher.page.getByLabel("Title").fill("Too late");
  await teacher.page.getByLabel("Text").fill("This should not go.");
  await teacher.page.getByLabel("Send later (optional)").fill(`${schoolDay(-1)}T08:00`);
  await teacher.page.getByRole("button", { name: "Check before sending" }).click();
  await teacher.page.getByText("The time to send it must be in the future.").waitFor();
  // The teacher's tab labels fit a 390-px phone whole in every language (none cut off).
  const { bearer } = await teacherApi();
  for (const language of ["de", "nl", "en"]) {
    await fetch(`${BASE}/api/me`, { method: "PATCH", headers: bearer, body: JSON.stringify({ language }) });
    await teacher.page.goto("/compose");
    await teacher.page.locator("nav.tabs .tab-label").first().waitFor();
    const cut = await teacher.page.locator("nav.tabs .tab-label").evaluateAll((labels) =>
      labels.filter((label) => label.scrollWidth > label.clientWidth).map((label) => label.textContent));
    assert.deepEqual(cut, [], `tab labels cut off in ${language}`);
  }
  await parent.context.close();
  await teacher.context.close();
});

test("a parent adds an emergency number and switches the app to Dutch", async () => {
  const { context, page, errors } = await phone();
  await login(page, PARENT);
  await page.getByRole("link", { name: "Children" }).click();
  await page.locator("main a.card").first().click();
  await page.getByRole("heading", { name: "Emergency numbers" }).waitFor();
  const emergency = page.locator("section", { has: page.getByRole("heading", { name: "Emergency numbers" }) });
  // The screen's heading has the focus after moving there (screen readers announce it).
  await until(page, () => document.activeElement?.tagName === "H1", undefined, "focus on the heading");
  // None yet: what they are for.
  await page.getByText("Who should the school call when you cannot be reached?").waitFor();
  await page.getByRole("button", { name: "Add a number" }).click();
  await emergency.getByLabel("Name", { exact: true }).last().fill("Grandma Jansen");
  await emergency.getByLabel("Phone").last().fill("12");
  await page.getByLabel("Relation").last().fill("grandmother");
  await page.getByText("Not saved yet: press Save.").waitFor();
  await emergency.getByRole("button", { name: "Save" }).click();
  // The refused number is marked at its field, in view above the tab bar.
  const phoneField = emergency.getByLabel("Phone").last();
  await until(page, () => document.querySelector('input[aria-invalid="true"]')?.type === "tel", undefined, "the phone field marked");
  await page.locator(".field-error").waitFor();
  const box = await phoneField.boundingBox();
  const tabs = await page.locator("nav.tabs").boundingBox();
  assert.ok(box.y + box.height <= tabs.y, `the field (${box.y}) is not under the tab bar (${tabs.y})`);
  await shot(page, "child-error");
  await phoneField.fill("+31 6 12345678");
  await emergency.getByRole("button", { name: "Save" }).click();
  await emergency.getByText("Saved.").waitFor();
  // A second number, then removed again: the removal is saved at once.
  await page.getByRole("button", { name: "Add a number" }).click();
  await emergency.getByLabel("Name", { exact: true }).last().fill("Neighbour Smit");
  await emergency.getByLabel("Phone").last().fill("+31 6 87654321");
  await emergency.getByRole("button", { name: "Save" }).click();
  await emergency.getByText("Saved.").waitFor();
  await page.getByRole("button", { name: "Remove" }).last().click();
  await emergency.getByText("Removed.").waitFor();
  await page.reload();
  await emergency.getByLabel("Name", { exact: true }).last().waitFor();
  assert.equal(await emergency.getByLabel("Name", { exact: true }).count(), 1);
  assert.equal(await emergency.getByLabel("Name", { exact: true }).last().inputValue(), "Grandma Jansen");

  await page.getByRole("link", { name: "Account" }).click();
  await page.getByLabel("Language").selectOption("de");
  await page.getByRole("button", { name: "Save" }).first().click();
  await page.getByRole("link", { name: "Kinder" }).waitFor();
  // The confirmation and the tab title speak the new language at once.
  await page.getByText("Gespeichert.").waitFor();
  assert.equal(await page.getByText("Saved.").count(), 0);
  await until(page, () => document.title.startsWith("Konto"), undefined, "the German tab title");
  await page.reload();
  await page.getByRole("heading", { name: "Meine Daten" }).waitFor();
  await page.getByLabel("Sprache").selectOption("nl");
  await page.getByRole("button", { name: "Speichern" }).first().click();
  await page.getByRole("link", { name: "Kinderen" }).waitFor();
  await page.getByText("Opgeslagen.").waitFor();
  await page.getByLabel("Taal").selectOption("en");
  await page.getByRole("button", { name: "Opslaan" }).first().click();
  await page.getByRole("link", { name: "Children" }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("forgot password: the request is confirmed, and the e-mail's link sets a new password", async () => {
  const { context, page, errors } = await phone();
  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("E-mail address").fill("nobody@example.nl");
  await page.getByRole("button", { name: "Send link" }).click();
  // The same answer for unknown addresses: nobody learns who has an account.
  await page.getByText("If the address belongs to an account, an e-mail is on its way.").waitFor();

  await page.goto(`/reset-password#token=${RESET_TOKEN}`);
  await page.getByLabel("New password", { exact: true }).fill("winter-markt-2026");
  await page.getByLabel("Repeat the new password").fill("winter-markt-2026");
  await page.getByRole("button", { name: "Save password" }).click();
  await page.getByRole("alert").waitFor();
  assert.match(await page.getByRole("alert").innerText(), /password/i);
  await page.getByLabel("New password", { exact: true }).fill("Winter-Markt-2026");
  await page.getByLabel("Repeat the new password").fill("Winter-Markt-2026");
  await page.getByRole("button", { name: "Save password" }).click();
  await page.getByText("Your password has been changed.").waitFor();
  await page.getByRole("link", { name: "Log in" }).click();
  await page.getByLabel(/e-mail/i).fill(RESET_EMAIL);
  await page.getByLabel(/password/i).fill("Winter-Markt-2026");
  await page.getByRole("button", { name: "Log in" }).click();
  await atPath(page, "/");
  assert.deepEqual(errors, []);
  await context.close();

  // The used link says so before anyone types, and offers a new one; so does the page
  // without a link. In German and Dutch browsers (not logged in: the browser's language).
  const german = await phone("de-DE");
  await german.page.goto(`/reset-password#token=${RESET_TOKEN}`);
  await german.page.getByRole("alert").getByText("Dieser Link wurde schon benutzt.").waitFor();
  assert.equal(await german.page.getByLabel("Neues Passwort", { exact: true }).count(), 0);
  await shot(german.page, "reset-link-used-de");
  await german.page.getByRole("link", { name: "Neuen Link zusenden" }).click();
  await atPath(german.page, "/forgot-password");
  await german.context.close();
  const dutch = await phone("nl-NL");
  await dutch.page.goto("/reset-password");
  await dutch.page.getByText("Open de link uit de e-mail om een nieuw wachtwoord te kiezen.").waitFor();
  assert.equal(await dutch.page.getByLabel("Nieuw wachtwoord", { exact: true }).count(), 0);
  await dutch.page.getByRole("link", { name: "Stuur mij een nieuwe link" }).waitFor();
  await dutch.context.close();
});

test("a link to a post opened while logged out shows that post after logging in", async () => {
  const { context, page } = await phone();
  await page.goto(`/posts/${URGENT_ID}`);
  await atPath(page, "/login");
  await page.getByLabel(/e-mail/i).fill(PARENT);
  await page.getByLabel(/password/i).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await atPath(page, `/posts/${URGENT_ID}`);
  await page.getByRole("heading", { name: URGENT_TITLE }).waitFor();
  await context.close();
});

test("the API console works under its Content-Security-Policy without inline-script permission", async () => {
  const context = await browser.newContext({ baseURL: BASE });
  const page = await context.newPage();
  const violations = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto("/api/docs/");
  const policy = response.headers()["content-security-policy"];
  const scripts = policy.split(";").find((part) => part.trim().startsWith("script-src"));
  assert.ok(!scripts.includes("unsafe-inline"), policy);
  assert.match(scripts, /'sha256-/);
  // Swagger UI ran: the operations of the API are listed.
  await page.locator(".opblock").first().waitFor();
  assert.ok((await page.locator(".opblock").count()) > 40);
  assert.deepEqual(violations, []);
  await context.close();
});

test("logging out on all devices ends the session on the other phone too, which forgets its data", async () => {
  const other = await phone();
  await login(other.page, PARENT);
  await controlledBySw(other.page);
  // Loaded again under the service worker, which keeps what it fetches for offline use.
  await other.page.reload();
  await other.page.locator("main a.card").first().waitFor();
  await until(other.page, () => caches.has("api"), null, "the feed kept for offline use");

  const { context, page, errors } = await phone();
  await login(page, PARENT);
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("button", { name: "Log out on all devices" }).scrollIntoViewIfNeeded();
  await shot(page, "account-logout-everywhere");
  await page.getByRole("button", { name: "Log out on all devices" }).click();
  await atPath(page, "/login");

  // The other phone learns it when the app is next opened: back to the login screen, saying
  // why, and nothing of the account is left in its offline cache.
  await other.page.reload();
  await atPath(other.page, "/login");
  await other.page.getByText("You were logged out. Log in again to go on.").waitFor();
  assert.equal(await other.page.evaluate(() => caches.has("api")), false);
  await shot(other.page, "session-ended");
  assert.deepEqual(errors, []);
  assert.deepEqual(other.errors, []);
  await other.context.close();
  await context.close();
});

test("a teacher turns on two-step login, keeps the recovery codes, and logs in with one", async () => {
  const { context, page, errors } = await phone();
  await login(page, TEACHER);
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("button", { name: "Set up two-step login" }).click();
  await page.getByRole("img", { name: "QR code for your authenticator app" }).waitFor();
  const key = (await page.locator("code.key").innerText()).replace(/\s/g, "");
  await page.getByLabel("Code from your authenticator app").fill("000000");
  await page.getByRole("button", { name: "Turn on" }).click();
  await page.getByText("This code is not right").waitFor();
  await page.getByRole("img", { name: "QR code for your authenticator app" }).scrollIntoViewIfNeeded();
  await shot(page, "two-step-setup");
  await page.getByLabel("Code from your authenticator app").fill(authenticatorCode(key));
  await page.getByRole("button", { name: "Turn on" }).click();
  await page.getByRole("button", { name: "I have saved them" }).waitFor();
  const codes = await page.locator("ol.codes code").allInnerTexts();
  assert.equal(codes.length, 10);
  await page.locator("ol.codes").scrollIntoViewIfNeeded();
  await shot(page, "two-step-recovery-codes");
  await page.getByRole("button", { name: "I have saved them" }).click();
  await page.getByText("Two-step login is on. Recovery codes left: 10.").waitFor();
  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await atPath(page, "/login");

  // The password alone is not enough any more: the app asks for the code.
  await page.getByLabel(/e-mail/i).fill(TEACHER);
  await page.getByLabel(/password/i).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  const code = page.getByLabel("Code from your authenticator app");
  await code.waitFor();
  await shot(page, "login-two-step");
  await code.fill(codes[0]);
  await page.getByRole("button", { name: "Log in" }).click();
  await atPath(page, "/");

  // Turned off again with another recovery code, as the other tests log in without one.
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByText("Recovery codes left: 9.").waitFor();
  await page.getByLabel("Code from your authenticator app").fill(codes[1]);
  await page.getByRole("button", { name: "Turn off" }).click();
  await page.getByRole("button", { name: "Set up two-step login" }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("switching on notifications shows progress, says when the push service does not answer, and helps when blocked", async () => {
  const { context, page, errors } = await phone();
  await context.grantPermissions(["notifications"], { origin: BASE });
  // A push service that never answers.
  await context.addInitScript(() => {
    PushManager.prototype.subscribe = () => new Promise(() => {});
    PushManager.prototype.getSubscription = async () => null;
  });
  await login(page, PARENT);
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("button", { name: "Get notifications on this device" }).click();
  const busy = page.getByRole("button", { name: "Switching on…" });
  await busy.waitFor();
  assert.equal(await busy.isDisabled(), true);
  await page.getByText("Waiting for the browser's notification service…").waitFor();
  await shot(page, "push-busy");
  await page.getByRole("alert").getByText("did not answer within 8 seconds").waitFor({ timeout: 15000 });
  // The button is back for another try.
  await page.getByRole("button", { name: "Get notifications on this device" }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();

  // Blocked on an Android phone of the German parent who activated above: the steps to
  // allow them again.
  const android = await phone("de-DE", ANDROID);
  await android.context.addInitScript(() => {
    Object.defineProperty(Notification, "permission", { get: () => "denied" });
  });
  await login(android.page, "jonas@example.de", "Herbst-Ferien-2026");
  await android.page.getByRole("link", { name: "Konto" }).click();
  await android.page.getByText("So erlauben Sie Benachrichtigungen wieder").waitFor();
  await android.page.getByText("Tippen Sie auf Berechtigungen oder Benachrichtigungen.").waitFor();
  await shot(android.page, "push-blocked-de");
  await android.context.close();

  // An iPhone in Safari: first add the app to the home screen, with the guide one tap away.
  const iphone = await phone("en-GB", IPHONE);
  await login(iphone.page, PARENT);
  await iphone.page.getByRole("link", { name: "Account" }).click();
  await iphone.page.getByText("notifications work only in the app on your home screen").waitFor();
  assert.equal(await iphone.page.getByRole("button", { name: "Get notifications on this device" }).count(), 0);
  await iphone.page.getByRole("link", { name: "Install the app" }).click();
  await iphone.page.getByRole("heading", { level: 1, name: "Install the app" }).waitFor();
  await iphone.page.getByText("Choose Add to Home Screen, then Add.").waitFor();
  assert.equal(await iphone.page.locator('nav.tabs a[aria-current="page"] .tab-label').innerText(), "Account");
  await iphone.context.close();

  // The guide in Dutch, for both kinds of phone, also before logging in (a letter may link it).
  const dutch = await phone("nl-NL");
  await dutch.page.goto("/install");
  await dutch.page.getByRole("heading", { level: 1, name: "De app installeren" }).waitFor();
  await dutch.page.getByRole("heading", { name: "iPhone en iPad (Safari)" }).waitFor();
  await dutch.page.getByRole("heading", { name: "Android (Chrome)" }).waitFor();
  await shot(dutch.page, "install-guide-nl");
  assert.deepEqual(await seriousViolations(dutch.page), [], "install guide accessibility");
  await dutch.page.getByRole("link", { name: "Inloggen" }).click();
  await atPath(dutch.page, "/login");
  await dutch.context.close();
});

test("the app carries the school's name and logo, says 'today', has a not-found screen, and reloads when pulled down", async () => {
  const { context, page, errors } = await phone();
  await page.goto("/login");
  await page.locator(".brand .school-name", { hasText: SCHOOL_NAME }).waitFor();
  const logo = await page.evaluate(async () => {
    const image = document.querySelector(".brand img");
    await image.decode();
    return { src: new URL(image.src).pathname, width: image.naturalWidth };
  });
  assert.deepEqual(logo, { src: "/school-logo", width: 192 });
  await login(page, PARENT);
  await page.locator("header.bar .name", { hasText: SCHOOL_NAME }).waitFor();
  await page.locator("header.bar img.logo").waitFor();
  // Posts of today say so, in the school's time zone.
  await page.locator("main a.card .meta").first().getByText(/today, \d\d:\d\d/).waitFor();
  await page.getByRole("link", { name: "News" }).click();
  await until(page, (name) => document.title === `News – ${name}`, SCHOOL_NAME, "the tab title with the school's name");

  // An unknown path: a screen that says so, not the home screen.
  await page.goto("/no-such-page");
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  assert.equal(await page.locator('nav.tabs a[aria-current="page"]').count(), 0);
  await page.getByRole("link", { name: "To the home screen" }).click();
  await atPath(page, "/");
  await page.locator("main a.card").first().waitFor();

  // A message posted meanwhile appears after pulling the list down.
  const { bearer, groups } = await teacherApi();
  const created = await fetch(`${BASE}/api/posts`, {
    method: "POST", headers: bearer,
    body: JSON.stringify({ kind: "message", group_ids: [groups.find((g) => g.name === "Groep 3a").id], title: "Gym shoes on Friday", body: "Please bring gym shoes." }),
  });
  assert.equal(created.status, 201);
  assert.equal(await page.getByText("Gym shoes on Friday").count(), 0);
  const cdp = await context.newCDPSession(page);
  const touch = (type, y) => cdp.send("Input.dispatchTouchEvent", { type, touchPoints: type === "touchEnd" ? [] : [{ x: 200, y }] });
  await touch("touchStart", 150);
  for (const y of [190, 230, 270, 310]) await touch("touchMove", y);
  await page.getByText("Release to refresh").waitFor();
  await touch("touchEnd", 310);
  await page.getByText("Gym shoes on Friday").waitFor();
  await shot(page, "home-branded");
  assert.deepEqual(errors, []);
  await context.close();
});

test("News pages through a school year: older posts load at the end of the list, also offline once loaded", async () => {
  const { bearer, groups } = await teacherApi();
  const group = groups.find((g) => g.name === "Groep 3a").id;
  for (let week = 1; week <= 34; week += 1) {
    const created = await fetch(`${BASE}/api/posts`, {
      method: "POST", headers: bearer,
      body: JSON.stringify({ kind: "news", group_ids: [group], title: `Week note ${week}`, body: `What happened in week ${week}.` }),
    });
    assert.equal(created.status, 201);
  }
  const { context, page, errors } = await phone();
  await login(page, PARENT);
  await controlledBySw(page);
  await page.getByRole("link", { name: "News" }).click();
  await page.getByText("Week note 34").waitFor();
  // The first page stops before the oldest; scrolling to the end brings them.
  assert.equal(await page.getByText("What happened in week 1.", { exact: true }).count(), 0);
  await page.locator(".more").scrollIntoViewIfNeeded();
  await page.getByText("What happened in week 1.", { exact: true }).waitFor();
  await page.getByText("Sports day was a success").waitFor();
  assert.equal(await page.locator(".more").count(), 0, "the end: no button for more");

  // Offline, the pages loaded before are kept (both pages are in the worker's cache first).
  await until(page, async () => {
    const keys = await (await caches.open("api")).keys();
    return keys.filter((request) => request.url.includes("news=true")).length >= 2;
  }, undefined, "both pages of News kept for offline use");
  await context.setOffline(true);
  await page.reload();
  await page.getByText("Week note 34").waitFor();
  await page.locator(".more").scrollIntoViewIfNeeded();
  await page.getByText("What happened in week 1.", { exact: true }).waitFor();
  await context.setOffline(false);
  assert.deepEqual(errors, []);
  await context.close();
});

/** The day `days` after today, as YYYY-MM-DD. */
function dayAfter(days) {
  return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

test("a teacher puts a weekly evening in the agenda from the phone; the parent sees it marked with the child, subscribes, and reads it offline in three languages", async () => {
  const teacher = await phone();
  await login(teacher.page, TEACHER);
  await teacher.page.getByRole("link", { name: "Agenda", exact: true }).click();
  await atPath(teacher.page, "/agenda");
  await teacher.page.getByRole("link", { name: "New agenda item" }).click();
  const form = teacher.page;
  await form.getByLabel("Title").fill("Parents' evening");
  const first = dayAfter(3);
  await form.getByLabel("Date", { exact: true }).fill(first);
  await form.getByLabel("From").fill("19:00");
  await form.getByLabel("To", { exact: true }).fill("20:30");
  await form.getByLabel("Repeats").selectOption("1");
  await form.getByLabel("Last time on").fill(dayAfter(17));
  await form.getByLabel("Leave out a date").fill(dayAfter(10));
  await form.getByRole("button", { name: "Leave out", exact: true }).click();
  await form.getByLabel("Place").fill("Classroom 3a");
  await form.getByLabel("Description").fill("The teacher tells about the year ahead.");
  assert.deepEqual(await seriousViolations(form), []);
  await shot(form, "agenda-new");
  await form.getByRole("button", { name: "Save" }).click();
  await form.getByText("Every week until").waitFor();
  const itemPath = await form.evaluate(() => window.location.pathname);
  assert.match(itemPath, /^\/agenda\/\d+$/);
  await form.getByText(/Not on/).waitFor();
  // A one-off trip, cancelled again: it stays in the agenda, marked.
  await form.goto("/agenda/new");
  await form.getByLabel("Title").fill("Trip to the zoo");
  await form.getByLabel("Date", { exact: true }).fill(dayAfter(5));
  await form.getByLabel("All day").check();
  await form.getByRole("button", { name: "Save" }).click();
  await form.getByRole("button", { name: "Cancel it" }).click();
  await form.locator("h1 .badge.cancelled").waitFor();
  await shot(form, "agenda-item-teacher");
  assert.deepEqual(teacher.errors, []);
  await teacher.context.close();

  const { context, page, errors } = await phone();
  await login(page, PARENT);
  // Home: the next items under "Coming up", marked with the child they concern.
  const comingUp = page.locator("section.coming-up");
  await comingUp.getByText("Parents' evening").first().waitFor();
  assert.match(await comingUp.locator(".agenda-item").first().innerText(), /For Kim/);
  await page.getByRole("link", { name: "Agenda", exact: true }).click();
  await atPath(page, "/agenda");
  await page.locator("h2.month").first().waitFor();
  // Weekly, one date left out: two evenings and the cancelled trip.
  assert.equal(await page.locator(".agenda-item", { hasText: "Parents' evening" }).count(), 2);
  const trip = page.locator(".agenda-item.cancelled", { hasText: "Trip to the zoo" });
  await trip.getByText("Cancelled").waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "agenda");
  await page.locator(".agenda-item", { hasText: "Parents' evening" }).first().click();
  await page.getByRole("link", { name: "Add to my calendar (.ics)" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Cancel it" }).count(), 0, "parents do not manage items");
  // Subscribe: a personal link for one child, fetched as a calendar app would.
  await page.goto("/agenda/subscribe");
  await page.getByLabel("Which items").selectOption({ label: "Only Kim van der Kind" });
  await page.getByRole("button", { name: "Make my calendar link" }).click();
  const link = await page.getByRole("textbox", { name: "Link" }).inputValue();
  assert.match(link, /\/api\/agenda\/feed\/[\w-]+\.ics$/);
  assert.match(await page.getByRole("link", { name: "Open in my calendar app" }).getAttribute("href"), /^webcal:\/\//);
  await page.getByText(/Google refreshes subscribed calendars only every 12 to 24 hours/).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "agenda-subscribe");
  // On the school's public address; here the test server's.
  const feed = await fetch(`${BASE}${new URL(link).pathname}`);
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get("content-type"), /^text\/calendar/);
  const calendar = await feed.text();
  assert.match(calendar, /SUMMARY:Parents' evening/);
  assert.match(calendar, /RRULE:FREQ=WEEKLY;INTERVAL=1;UNTIL=/);
  // Offline: the agenda loaded before, with the offline banner.
  await page.goto("/agenda");
  await page.locator(".agenda-item").first().waitFor();
  await controlledBySw(page);
  await page.locator(".agenda-item").first().waitFor();
  await context.setOffline(true);
  await page.reload();
  await page.locator(".banner.offline").waitFor();
  await page.locator(".agenda-item", { hasText: "Parents' evening" }).first().waitFor();
  assert.equal(await page.locator(".agenda-item", { hasText: "Parents' evening" }).count(), 2);
  await shot(page, "agenda-offline");
  await context.setOffline(false);
  // Dutch and German.
  for (const [code, save, tab, heading] of [["nl", "Save", "Agenda", "Binnenkort"], ["de", "Opslaan", "Termine", "Demnächst"]]) {
    await page.goto("/account");
    await page.getByLabel(/Language|Taal/).selectOption(code);
    await page.getByRole("button", { name: save }).first().click();
    await page.getByRole("link", { name: tab, exact: true }).waitFor();
    await page.getByRole("link", { name: tab, exact: true }).click();
    await page.locator(".agenda-item").first().waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await shot(page, `agenda-${code}`);
    await page.goto("/agenda/subscribe");
    await page.locator("h1").waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await shot(page, `agenda-subscribe-${code}`);
    await page.goto("/");
    await page.getByRole("heading", { name: heading }).waitFor();
  }
  await page.goto("/account");
  await page.getByLabel("Sprache").selectOption("en");
  await page.getByRole("button", { name: "Speichern" }).first().click();
  await page.getByRole("link", { name: "Children" }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("a teacher makes a class folder and uploads a reading list; the parent finds it under Documents, downloads it, and reads the list offline", async () => {
  const teacher = await phone();
  await login(teacher.page, TEACHER);
  await teacher.page.goto("/documents");
  await teacher.page.getByText("New folder").click();
  await teacher.page.getByLabel("Folder name").fill("Reading lists");
  await teacher.page.getByRole("button", { name: "Make folder" }).click();
  const folder = teacher.page.locator("section", { has: teacher.page.getByRole("heading", { name: "Reading lists" }) });
  await folder.locator("summary").click();
  const list = "Reading list, term 2\n- Jip en Janneke\n- Kikker is verliefd\n";
  // A web page renamed to .txt is refused, with the reason.
  await folder.locator('input[name="file"]').setInputFiles({ name: "list.txt", mimeType: "text/plain", buffer: Buffer.from("<html><script>alert(1)</script></html>") });
  await folder.getByRole("button", { name: "Upload a document" }).click();
  await teacher.page.getByText("This kind of file is not accepted").waitFor();
  await folder.locator('input[name="file"]').setInputFiles({ name: "reading-list.txt", mimeType: "text/plain", buffer: Buffer.from(list) });
  await folder.getByLabel("Title (optional)").fill("Reading list term 2");
  await folder.getByRole("button", { name: "Upload a document" }).click();
  await teacher.page.getByText("Uploaded.").waitFor();
  await folder.getByRole("heading", { name: /Reading list term 2/ }).waitFor();
  assert.deepEqual(await seriousViolations(teacher.page), []);
  await shot(teacher.page, "documents-teacher");
  assert.deepEqual(teacher.errors, []);
  await teacher.context.close();

  const { context, page, errors } = await phone();
  await login(page, PARENT);
  await page.getByRole("link", { name: "Agenda", exact: true }).click();
  await page.getByRole("link", { name: "Documents" }).click();
  await atPath(page, "/documents");
  const card = page.locator(".document", { hasText: "Reading list term 2" });
  await card.getByText("New", { exact: true }).waitFor();
  assert.match(await card.innerText(), /Text · \d+ B/);
  assert.equal(await page.getByRole("button", { name: "New version" }).count(), 0, "parents do not manage documents");
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "documents");
  const [download] = await Promise.all([page.waitForEvent("download"), card.getByRole("link").click()]);
  assert.equal(download.suggestedFilename(), "reading-list.txt");
  assert.equal(await readFile(await download.path(), "utf8"), list);
  // Offline: the list loaded before.
  await controlledBySw(page);
  await card.waitFor();
  await context.setOffline(true);
  await page.reload();
  await page.locator(".banner.offline").waitFor();
  await page.locator(".document", { hasText: "Reading list term 2" }).waitFor();
  // The document opened before opens offline too.
  const href = await page.locator(".document a").first().getAttribute("href");
  assert.equal(await page.evaluate(async (url) => (await fetch(url)).text(), href), list);
  await context.setOffline(false);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the school office, in German, puts a day off for the whole school in the agenda and the school guide in a school folder", async () => {
  const { context, page, errors } = await phone("de-DE");
  await login(page, ADMIN);
  await page.goto("/account");
  await page.getByLabel("Language").selectOption("de");
  await page.getByRole("button", { name: "Save" }).first().click();
  await page.getByRole("link", { name: "Termine", exact: true }).click();
  await page.getByRole("link", { name: "Neuer Termin" }).click();
  await page.getByLabel("Die ganze Schule").check();
  await page.getByLabel("Titel").fill("Studientag: schulfrei");
  await page.getByLabel("Datum", { exact: true }).fill(dayAfter(20));
  await page.getByLabel("Ganztägig").check();
  await page.getByRole("button", { name: "Speichern" }).click();
  await page.getByText("Ganztägig").first().waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "agenda-item-admin-de");
  await page.goto("/documents");
  await page.getByText("Neuer Ordner").click();
  await page.getByLabel("Name des Ordners").fill("Schulführer");
  await page.locator("select[name=group]").selectOption({ label: "Die ganze Schule" });
  await page.getByRole("button", { name: "Ordner anlegen" }).click();
  const folder = page.locator("section", { has: page.getByRole("heading", { name: "Schulführer" }) });
  await folder.locator("summary").click();
  await folder.locator('input[name="file"]').setInputFiles({ name: "schulfuehrer.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n") });
  await folder.getByRole("button", { name: "Dokument hochladen" }).click();
  await page.getByText("Hochgeladen.").waitFor();
  await folder.getByText(/PDF · \d+ B/).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "documents-admin-de");
  // Deleting asks first, in the page.
  await folder.getByRole("button", { name: "Löschen", exact: true }).click();
  await folder.getByRole("alertdialog").getByText("„schulfuehrer“ für alle löschen?").waitFor();
  await folder.getByRole("button", { name: "Ja, löschen" }).click();
  await folder.getByText("Noch nichts in diesem Ordner.").waitFor();
  await page.goto("/account");
  await page.getByLabel("Sprache").selectOption("en");
  await page.getByRole("button", { name: "Speichern" }).first().click();
  await page.getByRole("link", { name: "Agenda", exact: true }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

const CONFIRM_EMAIL_TOKEN = process.env.CONFIRM_EMAIL_TOKEN;

test("a parent finds the class list, sees what other families share, chooses what to share, and sees a note from the teacher", async () => {
  // The teacher writes a note on Kim's page, reached through the class list.
  const teacher = await phone();
  await login(teacher.page, TEACHER);
  await teacher.page.getByRole("link", { name: "Account" }).click();
  await teacher.page.getByRole("link", { name: "Groups", exact: true }).click();
  await atPath(teacher.page, "/groups");
  await teacher.page.getByRole("link", { name: /Groep 3a/ }).click();
  await teacher.page.getByRole("link", { name: "Kim van der Kind" }).click();
  await teacher.page.getByLabel("New note for the parents").fill("Kim read her first book on her own today.");
  await teacher.page.getByRole("button", { name: "Send note" }).click();
  await teacher.page.getByText("Sent. The parents get a notification.").waitFor();
  await teacher.page.locator(".note", { hasText: "Kim read her first book" }).waitFor();
  assert.deepEqual(await seriousViolations(teacher.page), []);
  await shot(teacher.page, "child-note-teacher");
  assert.deepEqual(teacher.errors, []);
  await teacher.context.close();

  const { context, page, errors } = await phone();
  await login(page, PARENT);
  await page.getByRole("link", { name: "Children" }).click();
  await atPath(page, "/children");
  await page.getByRole("link", { name: "Groups", exact: true }).click();
  await atPath(page, "/groups");
  const own = page.locator("a.card.group.own", { hasText: "Groep 3a" });
  await own.getByText("Yours").waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "groups");
  await own.click();
  // Bo's family shares with the class: name, birthday, photo, Bea's phone and photo.
  const bo = page.locator(".child-entry", { hasText: "Bo Berg" });
  await bo.getByRole("link", { name: "+31 6 2345 6789" }).waitFor();
  assert.equal(await bo.getByRole("link", { name: "+31 6 2345 6789" }).getAttribute("href"), "tel:+31623456789");
  await bo.getByText(/23 April/).waitFor();
  assert.equal(await bo.locator("img.avatar").count(), 2, "Bo's and Bea's photos");
  // Our own child, and Jonas's child, which his family does not list (privacy by default).
  await page.locator(".child-entry", { hasText: "Kim van der Kind" }).waitFor();
  await page.getByText("1 more child whose family does not list it for you.").waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "group-page");
  // What we share: nothing yet; the phone goes to the class, and the preview shows it.
  await page.goto("/account");
  await page.getByRole("heading", { name: "Contact details" }).waitFor();
  await page.getByRole("button", { name: "Add a phone number" }).click();
  await page.locator(".phones").getByLabel("Phone").last().fill("+31 6 1111 2222");
  await page.locator(".phones").getByRole("button", { name: "Save" }).click();
  await page.locator(".phones").getByText("Saved.").waitFor();
  await page.locator("input[type=file]").first().setInputFiles(`${PWA_DIR}/icons/icon-192.png`);
  await page.locator(".photo-picker img.avatar").first().waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.evaluate(() => document.getElementById("contact").scrollIntoView({ block: "center" }));
  await shot(page, "account-contact");
  // A new login address waits for its link; cancelled here.
  const address = page.locator("section", { has: page.getByRole("heading", { name: "Login e-mail address" }) });
  await address.getByLabel("New e-mail address").fill("anna.new@example.nl");
  await address.getByLabel("Current password").fill(PASSWORD);
  await address.getByRole("button", { name: "Send confirmation link" }).click();
  await address.getByText("A confirmation link went to anna.new@example.nl.").waitFor();
  await address.getByText("You log in with anna@example.nl.").waitFor();
  await page.evaluate(() => document.getElementById("login-address").scrollIntoView({ block: "start" }));
  await shot(page, "email-change");
  await address.getByRole("button", { name: "Cancel the change" }).click();
  await address.getByText("A confirmation link went to").waitFor({ state: "detached" });
  await page.getByRole("link", { name: "Privacy: who sees what" }).click();
  await atPath(page, "/account/privacy");
  await page.getByLabel("My phone numbers").selectOption("group_parents");
  await page.getByText("Saved.").first().waitFor();
  const preview = page.locator("section", { hasText: "What others see" });
  await preview.getByText("+31 6 1111 2222").waitFor();
  await preview.getByRole("button", { name: "Other parents" }).click();
  // Other parents do not get the phone (the answer for them replaces the class parents' view).
  await preview.getByText("+31 6 1111 2222").waitFor({ state: "detached" });
  await preview.getByText("Your children are not in the class list for them").waitFor();
  await preview.getByRole("button", { name: "Class parents" }).click();
  await preview.getByText("+31 6 1111 2222").waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "privacy");
  // The teacher's note on Kim's page.
  await page.goto("/children");
  await page.locator("main a.card", { hasText: "Kim" }).click();
  await page.locator(".note", { hasText: "Kim read her first book on her own today." }).waitFor();
  await page.getByRole("heading", { name: "Who sees what of your child" }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.locator("#notes").scrollIntoViewIfNeeded();
  await page.evaluate(() => document.getElementById("notes").scrollIntoView({ block: "start" }));
  await shot(page, "child-page");
  // Offline: the class list loaded before.
  await page.goto("/groups");
  await page.locator("a.card.group").first().waitFor();
  await controlledBySw(page);
  await page.locator("a.card.group.own", { hasText: "Groep 3a" }).click();
  await page.locator(".child-entry", { hasText: "Bo Berg" }).waitFor();
  await context.setOffline(true);
  await page.reload();
  await page.locator(".banner.offline").waitFor();
  await page.locator(".child-entry", { hasText: "Bo Berg" }).waitFor();
  await shot(page, "group-offline");
  await context.setOffline(false);
  // Dutch and German.
  for (const [code, save, heading, privacy] of [["nl", "Save", "Groepen", "Privacy: wie ziet wat"], ["de", "Opslaan", "Klassen", "Datenschutz: wer sieht was"]]) {
    await page.goto("/account");
    await page.getByLabel(/Language|Taal/).selectOption(code);
    await page.getByRole("button", { name: save }).first().click();
    // Saved before the next screen loads (it asks the server in the new language).
    await page.locator("p.ok").first().waitFor();
    await page.goto("/groups");
    await page.getByRole("heading", { name: heading }).waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await shot(page, `groups-${code}`);
    await page.goto("/account/privacy");
    await page.getByRole("heading", { name: privacy, exact: true }).waitFor();
    await page.locator(".preview").waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await shot(page, `privacy-${code}`);
  }
  await page.goto("/account");
  await page.getByLabel("Sprache").selectOption("en");
  await page.getByRole("button", { name: "Speichern" }).first().click();
  await page.getByRole("link", { name: "Children" }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("the link sent to a new login address confirms it, once", async () => {
  const { context, page, errors } = await phone();
  await page.goto(`/confirm-email#token=${CONFIRM_EMAIL_TOKEN}`);
  await page.getByText("Done: from now on you log in with carla.new@example.nl.").waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "confirm-email");
  await page.reload();
  await page.getByText("This link has been used already.").waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("the school office sees every child of a class with its parents in the class list, in German", async () => {
  const { context, page, errors } = await phone("de-DE");
  await login(page, ADMIN);
  await page.goto("/account");
  await page.getByLabel("Language").selectOption("de");
  await page.getByRole("button", { name: "Save" }).first().click();
  await page.getByRole("link", { name: "Konto", exact: true }).waitFor();
  await page.getByRole("link", { name: "Klassen", exact: true }).click();
  await atPath(page, "/groups");
  await page.getByRole("heading", { name: "Klassen" }).waitFor();
  await page.locator("a.card.group", { hasText: "Groep 3a" }).click();
  // The office keeps the data: every child, also those their families do not list.
  await page.locator(".child-entry", { hasText: "Bo Berg" }).waitFor();
  assert.equal(await page.locator(".child-entry").count(), 3);
  assert.equal(await page.getByText(/Noch \d+ Kind/).count(), 0);
  await page.locator(".child-entry", { hasText: "Bo Berg" }).getByRole("link", { name: "+31 6 2345 6789" }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "group-admin-de");
  await page.goto("/account");
  await page.getByLabel("Sprache").selectOption("en");
  await page.getByRole("button", { name: "Speichern" }).first().click();
  await page.getByRole("link", { name: "Account", exact: true }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("a teacher uploads photos from the phone, tags the children and publishes; the parent gives consent, swipes through the album, and a child without consent stays hidden", async () => {
  const photos = process.env.ALBUM_PHOTOS.split(",");
  // Anna says yes to photos of Kim in the albums, on Kim's page.
  const parent = await phone();
  await login(parent.page, PARENT);
  await parent.page.getByRole("link", { name: "Children" }).click();
  await parent.page.getByRole("link", { name: /Kim van der Kind/ }).click();
  const consent = parent.page.locator("section", { has: parent.page.getByRole("heading", { name: "Photo consent" }) });
  await consent.getByText("Not answered: counts as no").first().waitFor();
  await consent.locator("fieldset", { hasText: "Photo albums in this app" }).getByLabel("Yes").check();
  await consent.getByText("Saved.").waitFor();
  await consent.locator("fieldset", { hasText: "The school's website" }).getByLabel("No").check();
  await consent.getByText("Saved.").waitFor();
  assert.deepEqual(await seriousViolations(parent.page), []);
  await consent.scrollIntoViewIfNeeded();
  await shot(parent.page, "photo-consent");

  // The teacher makes the album and picks three photos at once.
  const teacher = await phone();
  await login(teacher.page, TEACHER);
  await teacher.page.getByRole("link", { name: "Agenda", exact: true }).click();
  await teacher.page.getByRole("link", { name: "Photos", exact: true }).click();
  await atPath(teacher.page, "/albums");
  await teacher.page.getByText("New album").click();
  await teacher.page.getByLabel("Title").fill("Autumn walk");
  await teacher.page.getByLabel("Description (optional)").fill("Tuesday in the park.");
  await teacher.page.getByRole("button", { name: "Make album" }).click();
  await teacher.page.getByRole("heading", { name: /Autumn walk/ }).waitFor();
  // Bo's family did not answer: the teacher sees it before uploading.
  await teacher.page.getByText("No consent for albums: Bo Berg").waitFor();
  // A text file renamed .jpg is refused with the reason, and can be dropped; the photos go up.
  // Uploads held back a moment, so each photo's progress bar can be seen.
  await teacher.page.route("**/api/albums/*/photos", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    await route.continue();
  });
  await teacher.page.locator('input[type="file"]').setInputFiles([
    ...await Promise.all(photos.map(async (path) => ({ name: path.split("/").pop(), mimeType: "image/jpeg", buffer: await readFile(path) }))),
    { name: "notes.jpg", mimeType: "image/jpeg", buffer: Buffer.from("<?php echo 1; ?>") },
  ]);
  await teacher.page.locator("ul.uploads progress").first().waitFor();
  assert.match(await teacher.page.locator("ul.uploads").innerText(), /Uploading IMG_100\d\.jpg/);
  await teacher.page.getByText(/notes\.jpg: Send a photo as JPEG, PNG or WebP/).waitFor();
  await teacher.page.getByRole("button", { name: "Try again" }).waitFor();
  const cards = teacher.page.locator(".staff-photo");
  await until(teacher.page, () => document.querySelectorAll(".staff-photo").length === 3
    && [...document.querySelectorAll(".staff-photo")].every((card) => card.textContent.includes("Not tagged yet")), null, "three processed photos");
  const tagAs = async (index, label) => {
    const card = cards.nth(index);
    await card.getByRole("button", { name: "Who is on it?" }).click();
    await card.getByLabel(label).check();
    await card.getByRole("button", { name: "Save" }).click();
  };
  await tagAs(0, /Kim van der Kind/);
  await cards.nth(0).getByText("On it: Kim van der Kind").waitFor();
  await tagAs(1, /Bo Berg/);
  await cards.nth(1).getByText("Hidden from parents: no photo consent for Bo Berg").waitFor();
  await tagAs(2, "No child can be recognised");
  await cards.nth(2).getByText("Parents see it").waitFor();
  assert.deepEqual(await seriousViolations(teacher.page), []);
  await shot(teacher.page, "album-teacher");
  await teacher.page.getByRole("button", { name: "Publish" }).click();
  await teacher.page.getByText("Published. Parents get an e-mail.").waitFor();
  assert.deepEqual(teacher.errors, []);
  await teacher.context.close();

  // Anna sees two photos (Bo's is hidden), opens the viewer and swipes.
  const { page, errors, context } = parent;
  await page.getByRole("link", { name: "Agenda", exact: true }).click();
  await page.getByRole("link", { name: "Photos", exact: true }).click();
  const card = page.locator(".album-card", { hasText: "Autumn walk" });
  await card.getByText("Groep 3a · 2 photos").waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "albums");
  await card.click();
  const grid = page.locator(".photo-grid button");
  await until(page, () => document.querySelectorAll(".photo-grid img").length === 2
    && [...document.querySelectorAll(".photo-grid img")].every((img) => img.complete && img.naturalWidth === 320), null, "two thumbnails");
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "album-grid");
  await grid.first().click();
  const viewer = page.getByRole("dialog", { name: "Photo 1 of 2" });
  await viewer.waitFor();
  await until(page, () => { const img = document.querySelector(".viewer img"); return img && img.complete && img.naturalWidth === 1600; }, null, "the display copy");
  await page.keyboard.press("ArrowRight");
  await page.getByRole("dialog", { name: "Photo 2 of 2" }).waitFor();
  // A swipe to the right goes back.
  const stage = page.locator(".viewer-stage");
  await stage.dispatchEvent("pointerdown", { clientX: 80, clientY: 400, pointerType: "touch", isPrimary: true });
  await stage.dispatchEvent("pointerup", { clientX: 300, clientY: 410, pointerType: "touch", isPrimary: true });
  await page.getByRole("dialog", { name: "Photo 1 of 2" }).waitFor();
  assert.equal(await page.getByRole("link", { name: "Download" }).count(), 1);
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "album-viewer");
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached" });
  // Offline, the album opened before still shows its grid.
  await controlledBySw(page);
  await grid.first().waitFor();
  await context.setOffline(true);
  await page.reload();
  await page.locator(".banner.offline").waitFor();
  await until(page, () => [...document.querySelectorAll(".photo-grid img")].filter((img) => img.complete && img.naturalWidth > 0).length === 2, null, "the grid offline");
  await context.setOffline(false);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the albums and photo consent in German (the office) and Dutch (a parent)", async () => {
  const office = await phone("de-DE");
  await login(office.page, ADMIN);
  await office.page.goto("/account");
  await office.page.getByLabel(/Language|Sprache/).selectOption("de");
  await office.page.getByRole("button", { name: /Save|Speichern/ }).first().click();
  await office.page.locator("p.ok").first().waitFor();
  await office.page.getByRole("link", { name: "Termine", exact: true }).click();
  await office.page.getByRole("link", { name: "Fotos", exact: true }).click();
  await office.page.getByRole("heading", { name: "Fotoalben" }).waitFor();
  await office.page.getByText("Neues Album").click();
  // The office makes albums for the whole school too.
  assert.ok((await office.page.locator('select[name="group"]').innerText()).includes("Die ganze Schule"));
  await office.page.locator(".album-card", { hasText: "Autumn walk" }).click();
  await office.page.getByText("Für Eltern verborgen: keine Einwilligung für Bo Berg").waitFor();
  await office.page.getByRole("button", { name: "Wer ist darauf?" }).first().waitFor();
  assert.deepEqual(await seriousViolations(office.page), []);
  await shot(office.page, "album-office-de");
  assert.deepEqual(office.errors, []);
  await office.context.close();

  const { context, page, errors } = await phone("nl-NL");
  await login(page, PARENT);
  await page.goto("/account");
  await page.getByLabel(/Language|Taal/).selectOption("nl");
  await page.getByRole("button", { name: /Save|Opslaan/ }).first().click();
  await page.locator("p.ok").first().waitFor();
  await page.getByRole("link", { name: "Agenda", exact: true }).click();
  await page.getByRole("link", { name: "Foto's", exact: true }).click();
  await page.getByRole("heading", { name: "Fotoalbums" }).waitFor();
  await page.locator(".album-card", { hasText: "2 foto's" }).waitFor();
  await page.getByRole("link", { name: "Kinderen" }).click();
  await page.getByRole("link", { name: /Kim van der Kind/ }).click();
  const consent = page.locator("section", { has: page.getByRole("heading", { name: "Toestemming voor foto's" }) });
  await consent.locator("fieldset", { hasText: "Fotoalbums in deze app" }).getByLabel("Ja", { exact: true }).waitFor();
  assert.ok(await consent.locator("fieldset", { hasText: "Fotoalbums in deze app" }).getByLabel("Ja", { exact: true }).isChecked());
  assert.deepEqual(await seriousViolations(page), []);
  await consent.scrollIntoViewIfNeeded();
  await shot(page, "photo-consent-nl");
  // Back to English for whoever comes next.
  await page.goto("/account");
  await page.getByLabel("Taal").selectOption("en");
  await page.getByRole("button", { name: "Opslaan" }).first().click();
  await page.getByRole("button", { name: "Save" }).first().waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

/** A day two weeks ahead, as a date input wants it. */
function inTwoWeeks() {
  return new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10);
}

test("a teacher opens conference talks; the parent books from Home, moves the talk, and after closing sees the final time, also offline", async () => {
  const teacher = await phone();
  teacher.page.on("dialog", (dialog) => dialog.accept());
  await login(teacher.page, TEACHER);
  await teacher.page.getByRole("link", { name: "Agenda", exact: true }).click();
  await teacher.page.getByRole("link", { name: "Talks", exact: true }).click();
  await atPath(teacher.page, "/conferences");
  await teacher.page.getByText("New conference round").click();
  await teacher.page.getByLabel("Message to all parents").fill("Ten minutes about how your child is doing.");
  await teacher.page.getByLabel("Room or place (optional)").fill("Room 3a");
  await teacher.page.getByLabel("Date").fill(inTwoWeeks());
  await teacher.page.getByLabel("From", { exact: true }).fill("15:00");
  await teacher.page.getByLabel("Until", { exact: true }).fill("16:00");
  await teacher.page.getByLabel("Break from (optional)").fill("15:30");
  await teacher.page.getByLabel("Break until").fill("15:40");
  // Booking opens at once for this test (the app proposes tomorrow evening).
  const proposed = await teacher.page.getByLabel("Parents can book from").inputValue();
  assert.match(proposed, /T19:00$/);
  await teacher.page.getByLabel("Parents can book from").fill(`${new Date().toISOString().slice(0, 10)}T00:00`);
  assert.deepEqual(await seriousViolations(teacher.page), []);
  await teacher.page.getByLabel("Message to all parents").scrollIntoViewIfNeeded();
  await teacher.page.evaluate(() => document.querySelector("details.card").scrollIntoView());
  await shot(teacher.page, "conference-new-round");
  await teacher.page.getByRole("button", { name: "Open the round" }).click();
  await teacher.page.getByRole("heading", { name: "Parent-teacher conferences" }).waitFor();
  const roundPath = new URL(teacher.page.url()).pathname;
  // 15:00-15:30 and 15:40-16:00: five slots.
  assert.equal(await teacher.page.locator("ul.slots li").count(), 5);
  // Kim: required, with a note; Bo: a double slot.
  const kim = teacher.page.locator("details.child-plan", { hasText: "Kim van der Kind" });
  await kim.locator("summary").click();
  await kim.locator('select[name="need"]').selectOption("required");
  await kim.getByLabel("Personal note to the parents (optional)").fill("Kim reads very well; let's talk about maths.");
  await kim.getByRole("button", { name: "Save" }).click();
  await kim.locator("p.ok, p.error").first().waitFor();
  assert.equal(await kim.locator("p.ok, p.error").first().innerText(), "Saved.");
  await kim.locator("summary .badge", { hasText: "Required" }).waitFor();
  const bo = teacher.page.locator("details.child-plan", { hasText: "Bo Berg" });
  await bo.locator("summary").click();
  await bo.getByLabel("Double slot (needs more time)").check();
  await bo.getByRole("button", { name: "Save" }).click();
  await bo.locator("summary .badge", { hasText: "2 slots" }).waitFor();
  await teacher.page.getByRole("button", { name: "Block 15:50–16:00" }).click();
  await teacher.page.locator("li.slot.blocked").waitFor();
  await teacher.page.getByText("Required talks not booked").waitFor();

  // Anna finds the invitation on Home and books 15:10.
  const { page, errors, context } = await phone();
  await login(page, PARENT);
  const card = page.locator("a.card.invitation", { hasText: "Talk about Kim van der Kind" });
  await card.getByText("The teacher would like to talk to you: please book a time.").waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "conference-home");
  await card.click();
  await page.getByText("Kim reads very well; let's talk about maths.").waitFor();
  // The blocked slot cannot be booked.
  assert.equal(await page.getByRole("button", { name: "Book 15:50–16:00" }).count(), 0);
  await page.getByRole("button", { name: "Book 15:10–15:20" }).click();
  await page.getByText("Booked. You can change it until the planning is closed.").waitFor();
  await page.locator("li.slot.mine", { hasText: "15:10–15:20" }).getByRole("button", { name: "Cancel" }).waitFor();
  // Moving it: one click on another time.
  await page.getByRole("button", { name: "Move here 15:20–15:30" }).click();
  await page.getByText("Moved. The other parents are told.").waitFor();
  await page.locator("li.slot.mine", { hasText: "15:20–15:30" }).waitFor();
  assert.equal(await page.locator("li.slot.mine").count(), 1);
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "conference-picker");

  // The teacher books Bo's double talk for the Bergs and closes the planning.
  await teacher.page.reload();
  await teacher.page.locator("li.slot.booked", { hasText: "Kim van der Kind" }).waitFor();
  await teacher.page.getByLabel("Book for… 15:00–15:10").selectOption({ label: "Bo Berg" });
  await teacher.page.getByText("Booked. The parents are told by e-mail.").waitFor();
  assert.equal(await teacher.page.locator("li.slot.booked", { hasText: "Bo Berg" }).count(), 2);
  await teacher.page.locator("li.slot.booked", { hasText: "Bo Berg (continued)" }).waitFor();
  // The day's door list is a PDF with who comes when.
  const doorList = await teacher.page.getByRole("link", { name: "Door list (PDF)" }).getAttribute("href");
  const pdf = await teacher.page.evaluate(async (href) => {
    const response = await fetch(href);
    return { type: response.headers.get("content-type"), start: (await response.text()).slice(0, 5) };
  }, doorList);
  assert.deepEqual(pdf, { type: "application/pdf", start: "%PDF-" });
  assert.deepEqual(await seriousViolations(teacher.page), []);
  await shot(teacher.page, "conference-plan");
  await teacher.page.getByRole("button", { name: "Close the planning" }).click();
  await teacher.page.getByText("Closed. The parents get the final times by e-mail.").waitFor();
  assert.deepEqual(teacher.errors, []);
  await teacher.context.close();

  // Anna sees the final time, without Cancel; offline too.
  await controlledBySw(page);
  await page.reload();
  await page.getByText("Final time:").waitFor();
  assert.equal(await page.getByRole("button", { name: "Cancel" }).count(), 0);
  await context.setOffline(true);
  await page.reload();
  await page.locator(".banner.offline").waitFor();
  await page.getByText("Final time:").waitFor();
  await context.setOffline(false);
  await page.goto("/conferences");
  await page.getByRole("heading", { name: "Talks" }).waitFor();
  await page.locator("a.card.invitation", { hasText: "Final time:" }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "conference-timeline");
  assert.ok(roundPath.startsWith("/conferences/"));
  assert.deepEqual(errors, []);
  await context.close();
});

test("conference talks in Dutch (a parent) and German (the office)", async () => {
  const { context, page, errors } = await phone("nl-NL");
  await login(page, PARENT);
  await page.goto("/account");
  await page.getByLabel(/Language|Taal/).selectOption("nl");
  await page.getByRole("button", { name: /Save|Opslaan/ }).first().click();
  await page.locator("p.ok").first().waitFor();
  await page.getByRole("link", { name: "Agenda", exact: true }).click();
  await page.getByRole("link", { name: "Gesprekken", exact: true }).click();
  await page.getByRole("heading", { name: "Gesprekken" }).waitFor();
  await page.locator("a.card.invitation", { hasText: "Gesprek over Kim van der Kind" }).click();
  await page.getByText("Definitieve tijd:").waitFor();
  await page.getByText("Een bericht van de leerkracht").waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await shot(page, "conference-picker-nl");
  await page.goto("/account");
  await page.getByLabel("Taal").selectOption("en");
  await page.getByRole("button", { name: "Opslaan" }).first().click();
  await page.getByRole("button", { name: "Save" }).first().waitFor();
  assert.deepEqual(errors, []);
  await context.close();

  const office = await phone("de-DE");
  await login(office.page, ADMIN);
  await office.page.goto("/account");
  await office.page.getByLabel(/Language|Sprache/).selectOption("de");
  await office.page.getByRole("button", { name: /Save|Speichern/ }).first().click();
  await office.page.locator("p.ok").first().waitFor();
  await office.page.getByRole("link", { name: "Termine", exact: true }).click();
  await office.page.getByRole("link", { name: "Gespräche", exact: true }).click();
  await office.page.getByRole("heading", { name: "Gespräche" }).waitFor();
  await office.page.getByText("Neue Gesprächsrunde").waitFor();
  await office.page.locator("a.card", { hasText: "Parent-teacher conferences" }).click();
  await office.page.getByText("Planung abgeschlossen").waitFor();
  await office.page.locator("li.slot.booked", { hasText: "Bo Berg" }).first().waitFor();
  assert.deepEqual(await seriousViolations(office.page), []);
  await shot(office.page, "conference-plan-de");
  await office.page.goto("/account");
  await office.page.getByLabel("Sprache").selectOption("en");
  await office.page.getByRole("button", { name: "Speichern" }).first().click();
  await office.page.getByRole("button", { name: "Save" }).first().waitFor();
  assert.deepEqual(office.errors, []);
  await office.context.close();
});
