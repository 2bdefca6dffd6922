// The parents' and teachers' app: shell, session and routes. Plain ES modules, no build step.
import { html, render, useEffect, useRef, useState } from "./vendor/htm-preact-3.1.1.mjs";
import { forgetCachedData, get, hasCachedData, onNotKeptChange, onOfflineChange, onUnauthenticated, post, setCsrfToken } from "./lib/api.js";
import { Icon } from "./lib/icons.js";
import { disablePush } from "./lib/push.js";
import { setLanguage, t } from "./lib/i18n.js";
import { loadSchool, school } from "./lib/school.js";
import { interceptLinks, navigate, useLocation } from "./lib/router.js";
import { usePullToRefresh } from "./lib/ui.js";
import { Account, Activate, ConfirmEmail, ForgotPassword, Login, ResetPassword } from "./screens/accounts.js";
import { Compose, Conversation, Conversations, Feed, PostDetail, PostStatus } from "./screens/posts.js";
import { InstallGuide } from "./screens/notifications.js";
import { ChildPage, Children } from "./screens/school.js";
import { GroupPage, Groups, PrivacySettings } from "./screens/directory.js";
import { Agenda, AgendaForm, AgendaItem, Subscribe } from "./screens/agenda.js";
import { Documents } from "./screens/documents.js";
import { AlbumPage, Albums } from "./screens/albums.js";
import { Conferences, Invitation, RoundPlan } from "./screens/conferences.js";

const PUBLIC_PATHS = ["/login", "/activate", "/forgot-password", "/reset-password", "/confirm-email"];

let updateRequested = false;

function useServiceWorkerUpdate() {
  const [waiting, setWaiting] = useState(null);
  useEffect(() => {
    if (!("serviceWorker" in navigator)) return;
    // Reload only when the user asked for the new version (not when the first worker of a
    // fresh install takes control).
    let reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (reloading || !updateRequested) return;
      reloading = true;
      window.location.reload();
    });
    navigator.serviceWorker.register("/sw.js").then((registration) => {
      const watch = (worker) => {
        worker?.addEventListener("statechange", () => {
          if (worker.state === "installed" && navigator.serviceWorker.controller) setWaiting(worker);
        });
      };
      if (registration.waiting && navigator.serviceWorker.controller) setWaiting(registration.waiting);
      watch(registration.installing);
      registration.addEventListener("updatefound", () => watch(registration.installing));
    });
  }, []);
  return waiting;
}

function reloadWithNewVersion(worker) {
  // Another tab may have switched to it already: then only this page is old.
  if (worker.state === "activated") {
    window.location.reload();
    return;
  }
  updateRequested = true;
  worker.postMessage("skip-waiting");
}

function Banners({ offline, notKept, waiting }) {
  return html`
    ${offline && html`<div class="banner offline" role="status">${notKept ? t("offline_not_kept") : t("offline")}</div>`}
    ${waiting && html`<div class="banner update" role="status">
      <span>${t("update")}</span>
      <button class="secondary" onClick=${() => reloadWithNewVersion(waiting)}>${t("reload")}</button>
    </div>`}`;
}

// The tab a post was opened from: a post (or its status page) belongs to News when opened
// from News, to New post right after posting, and to Home otherwise (e.g. from a notification).
let postsTab = "/";

// The tab title: the screen heading's own text, without its badges ("Urgent", "New").
function setTitleFrom(heading) {
  const name = [...heading.childNodes]
    .filter((node) => !node.classList?.contains("badge"))
    .map((node) => node.textContent)
    .join("")
    .trim();
  document.title = `${name} – ${school.name || t("app")}`;
}

/** Messages in conversations the user has not read: reloaded on every screen change, when a
 * thread was read or written in, and every minute while the app is in view. */
function useUnreadConversations(user, path) {
  const [unread, setUnread] = useState(0);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const reload = () => setVersion((v) => v + 1);
    window.addEventListener("conversations-changed", reload);
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") reload();
    }, 60000);
    return () => {
      window.removeEventListener("conversations-changed", reload);
      clearInterval(timer);
    };
  }, []);
  useEffect(() => {
    if (!user || user.two_factor_setup_required) return;
    let live = true;
    get("/conversations").then((data) => live && setUnread(data.unread), () => {});
    return () => { live = false; };
  }, [user, path, version]);
  return unread;
}

function Tabs({ user, path, unread }) {
  const tabs = [["/", t("home"), "home"], ["/news", t("news"), "news"], ["/agenda", t("agenda"), "agenda"]];
  if (user.role === "parent") tabs.push(["/children", t("children"), "children"]);
  else tabs.push(["/compose", t("compose"), "compose"]);
  tabs.push(["/account", t("account"), "account"]);
  // The conversations list belongs to Home, and so does a post opened from it.
  if (path === "/conversations") postsTab = "/";
  const onPost = path.startsWith("/posts") || path === "/conversations";
  if (!onPost) postsTab = tabs.some(([href]) => href === path) ? path : "/";
  // The install guide is reached from Account; Documents share the Agenda tab.
  const tabPath = path === "/install" ? "/account" : path === "/documents" || path.startsWith("/albums") || path.startsWith("/conferences") ? "/agenda"
    : path.startsWith("/groups") || path.startsWith("/children") ? (user.role === "parent" ? "/children" : "/account") : path;
  const current = (href) => (onPost ? href === postsTab : href === "/" ? tabPath === "/" : tabPath.startsWith(href));
  return html`<nav class="tabs" aria-label=${t("menu")}>
    ${tabs.map(([href, label, icon]) => html`<a href=${href} aria-current=${current(href) ? "page" : undefined}>
      <span class="tab-icon"><${Icon} name=${icon} />${href === "/" && unread > 0 && html`<span class="count" aria-hidden="true">${unread}</span>`}</span>
      <span class="tab-label">${label}</span>${href === "/" && unread > 0 && html`<span class="visually-hidden">, ${t("unread_messages", { count: unread })}</span>`}</a>`)}
  </nav>`;
}

function NotFound() {
  return html`<h1>${t("not_found_title")}</h1>
    <p>${t("not_found_text")}</p>
    <p><a class="button" href="/">${t("to_home")}</a></p>`;
}

function Screen({ user, path, onUser, onLogout }) {
  // Until staff set up the two-step login the school requires, only their account works.
  if (user.two_factor_setup_required) return html`<${Account} user=${user} onUser=${onUser} onLogout=${onLogout} />`;
  const post = path.match(/^\/posts\/(\d+)(\/status)?$/);
  const thread = path.match(/^\/posts\/(\d+)\/replies\/(\d+)$/);
  const child = path.match(/^\/children\/(\d+)$/);
  const item = path.match(/^\/agenda\/(\d+)(\/edit)?$/);
  const group = path.match(/^\/groups\/(\d+)$/);
  const album = path.match(/^\/albums\/(\d+)$/);
  const invitation = path.match(/^\/conferences\/(\d+)\/children\/(\d+)$/);
  const round = path.match(/^\/conferences\/(\d+)$/);
  if (thread && user.role !== "parent") return html`<${Conversation} id=${thread[1]} parentId=${thread[2]} />`;
  if (post && post[2]) return html`<${PostStatus} id=${post[1]} />`;
  if (post) return html`<${PostDetail} id=${post[1]} user=${user} />`;
  if (child) return html`<${ChildPage} id=${child[1]} />`;
  if (group) return html`<${GroupPage} id=${group[1]} />`;
  if (album) return html`<${AlbumPage} key=${album[1]} id=${album[1]} user=${user} />`;
  if (invitation) return html`<${Invitation} key=${path} round=${invitation[1]} child=${invitation[2]} />`;
  if (round && user.role !== "parent") return html`<${RoundPlan} key=${round[1]} id=${round[1]} />`;
  if (item && item[2] && user.role !== "parent") return html`<${AgendaForm} key=${path} user=${user} id=${item[1]} />`;
  if (item) return html`<${AgendaItem} id=${item[1]} />`;
  switch (path) {
    case "/news": return html`<${Feed} key="news" user=${user} kind="news" />`;
    case "/agenda": return html`<${Agenda} user=${user} />`;
    case "/agenda/subscribe": return html`<${Subscribe} user=${user} />`;
    case "/documents": return html`<${Documents} user=${user} />`;
    case "/albums": return html`<${Albums} user=${user} />`;
    case "/conferences": return html`<${Conferences} user=${user} />`;
    case "/agenda/new": return user.role === "parent" ? html`<${NotFound} />` : html`<${AgendaForm} key="new" user=${user} />`;
    case "/conversations": return html`<${Conversations} user=${user} />`;
    case "/install": return html`<${InstallGuide} loggedIn=${true} />`;
    case "/children": return html`<${Children} user=${user} />`;
    case "/groups": return html`<${Groups} user=${user} />`;
    case "/account/privacy": return html`<${PrivacySettings} user=${user} />`;
    case "/compose": return html`<${Compose} user=${user} />`;
    case "/account": return html`<${Account} user=${user} onUser=${onUser} onLogout=${onLogout} />`;
    case "/": return html`<${Feed} key="home" user=${user} kind="home" />`;
    default: return html`<${NotFound} />`;
  }
}

function App() {
  const { path, hash } = useLocation();
  const [user, setUser] = useState(undefined);
  const [offline, setOffline] = useState(!navigator.onLine);
  const [notKept, setNotKept] = useState(false);
  const waiting = useServiceWorkerUpdate();
  const unread = useUnreadConversations(user, path);
  const pulling = usePullToRefresh();

  useEffect(() => onOfflineChange(setOffline), []);
  useEffect(() => onNotKeptChange(setNotKept), []);
  useEffect(() => {
    const update = () => setOffline(!navigator.onLine);
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);

  const acceptUser = (me) => {
    if (me) {
      setCsrfToken(me.csrf_token);
      setLanguage(me.language);
    }
    setUser(me);
  };

  const sessionEnded = async () => {
    // Data kept from a session means one was open on this device: the login screen says why
    // it is back (idle too long, logged out on all devices, disabled).
    if (await hasCachedData()) sessionStorage.setItem("session-ended", "1");
    await forgetCachedData();
    setUser(null);
  };

  useEffect(() => {
    // Answers 200 with `user: null` when nobody is logged in: no failed request on the start.
    // The school's name comes with the session, so the first screen shows it at once.
    Promise.all([get("/auth/session"), loadSchool()])
      .then(([{ user: me }]) => (me ? acceptUser(me) : sessionEnded()))
      // Offline without a saved session: the login screen.
      .catch(() => setUser(null));
  }, []);

  // What a parent may need offline is kept from the start, even before its screen is opened.
  useEffect(() => {
    if (user?.role === "parent" && !user.two_factor_setup_required) get("/children").catch(() => {});
  }, [user?.id]);

  useEffect(() => onUnauthenticated(sessionEnded), []);

  const logout = async ({ everywhere = false } = {}) => {
    // This device stops getting this account's notices, whoever uses it next. Offline the
    // logout is refused below, so the device must keep its notices too.
    await disablePush({ serverMustKnow: true });
    // Offline the session would stay valid on the server: refuse rather than pretend.
    await post(everywhere ? "/auth/logout-everywhere" : "/auth/logout");
    // What was cached for this account must not be shown to the next one.
    await forgetCachedData();
    setUser(null);
    navigate("/login", { replace: true });
  };

  const isPublic = PUBLIC_PATHS.includes(path);
  useEffect(() => {
    // The install guide is for everyone: a registration letter may point at it.
    if (user === null && !isPublic && path !== "/install") {
      // A link from an e-mail or a notification opens after logging in.
      if (path !== "/") sessionStorage.setItem("return-to", path);
      navigate("/login", { replace: true });
    }
    if (user && path === "/login") navigate("/", { replace: true });
  }, [user, path]);

  // After moving to another screen, tell screen readers where they are: the screen's heading
  // gets the focus and names the page.
  const moved = useRef(false);
  useEffect(() => {
    if (!moved.current) {
      moved.current = true;
      return;
    }
    // Screens that load data show their heading a moment later.
    let tries = 0;
    const timer = setInterval(() => {
      const heading = document.querySelector("main h1");
      tries += 1;
      if (!heading && tries < 40) return;
      clearInterval(timer);
      if (!heading) return;
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
      setTitleFrom(heading);
    }, 75);
    return () => clearInterval(timer);
  }, [path]);
  // A new language renames the screen's heading: the tab title follows.
  useEffect(() => {
    const heading = document.querySelector("main h1");
    if (heading) setTitleFrom(heading);
  }, [user?.language]);

  // Nothing until the session is known: a placeholder would only jump away (layout shift).
  if (user === undefined) return null;
  if (isPublic || !user) {
    const screens = { "/activate": Activate, "/forgot-password": ForgotPassword, "/reset-password": ResetPassword, "/install": InstallGuide, "/confirm-email": ConfirmEmail };
    const Public = screens[path] || Login;
    return html`<${Banners} offline=${offline} notKept=${notKept} waiting=${waiting} />
      <main><${Public} hash=${hash} onUser=${acceptUser} /></main>`;
  }
  return html`
    <header class="bar">
      ${school.logo_url && html`<img class="logo" src=${school.logo_url} alt="" width="32" height="32" />`}
      <span class="name">${school.name || t("app")}</span></header>
    <${Banners} offline=${offline} notKept=${notKept} waiting=${waiting} />
    ${pulling && html`<div class="pull" role="status">${t("release_to_refresh")}</div>`}
    <${Tabs} user=${user} path=${path} unread=${unread} />
    <main>
      <${Screen} user=${user} path=${path} onUser=${acceptUser} onLogout=${logout} />
    </main>`;
}

interceptLinks();
render(html`<${App} />`, document.getElementById("app"));
