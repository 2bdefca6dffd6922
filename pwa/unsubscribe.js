// The page behind the unsubscribe link in digest and news e-mails. Opening it changes
// nothing (mail scanners open links too); the button sends the same POST a mail program's
// one-click unsubscribe sends.

const TEXTS = {
  en: {
    title: "Unsubscribe",
    ask: { messages: "Stop receiving the weekly overview of messages by e-mail?", news: "Stop receiving the news by e-mail?" },
    button: "Unsubscribe",
    done: { messages: "Done: the overview of messages no longer comes by e-mail.", news: "Done: the news no longer comes by e-mail." },
    note: "Everything stays readable in the app, where you can switch e-mails back on under My account. Urgent notices always reach you.",
    invalid: "This link is not valid. You can switch e-mails off in the app under My account.",
    failed: "That did not work. Please try again later.",
  },
  nl: {
    title: "Afmelden",
    ask: { messages: "Het wekelijkse overzicht van berichten niet meer per e-mail ontvangen?", news: "Het nieuws niet meer per e-mail ontvangen?" },
    button: "Afmelden",
    done: { messages: "Gelukt: het overzicht van berichten komt niet meer per e-mail.", news: "Gelukt: het nieuws komt niet meer per e-mail." },
    note: "Alles blijft te lezen in de app; daar kunt u e-mails weer aanzetten onder Mijn account. Dringende berichten ontvangt u altijd.",
    invalid: "Deze link is niet geldig. U kunt e-mails uitzetten in de app onder Mijn account.",
    failed: "Dat is niet gelukt. Probeer het later nog eens.",
  },
  de: {
    title: "Abmelden",
    ask: { messages: "Die wöchentliche Übersicht der Nachrichten nicht mehr per E-Mail erhalten?", news: "Die Neuigkeiten nicht mehr per E-Mail erhalten?" },
    button: "Abmelden",
    done: { messages: "Erledigt: Die Übersicht der Nachrichten kommt nicht mehr per E-Mail.", news: "Erledigt: Die Neuigkeiten kommen nicht mehr per E-Mail." },
    note: "Alles bleibt in der App lesbar; dort können Sie E-Mails unter Mein Konto wieder einschalten. Dringende Mitteilungen erreichen Sie immer.",
    invalid: "Dieser Link ist nicht gültig. Sie können E-Mails in der App unter Mein Konto abschalten.",
    failed: "Das hat nicht geklappt. Bitte versuchen Sie es später noch einmal.",
  },
};

const language = (navigator.languages || [navigator.language])
  .map((tag) => (tag || "").slice(0, 2).toLowerCase())
  .find((code) => code in TEXTS) || "en";
const t = TEXTS[language];
document.documentElement.lang = language;

const token = new URLSearchParams(location.search).get("token") || "";
const kind = token.split(".")[1];
const $ = (id) => document.getElementById(id);

$("title").textContent = t.title;
document.title = t.title;
if (!(kind in t.ask)) {
  $("result").textContent = t.invalid;
} else {
  $("question").textContent = t.ask[kind];
  const button = $("confirm");
  button.textContent = t.button;
  button.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const response = await fetch(`/api/unsubscribe?token=${encodeURIComponent(token)}`, { method: "POST" });
      if (response.ok) {
        const body = await response.json();
        button.hidden = true;
        $("question").hidden = true;
        $("result").textContent = t.done[body.kind] || t.done[kind];
        $("note").textContent = t.note;
      } else {
        $("result").textContent = response.status === 400 ? t.invalid : t.failed;
        button.disabled = false;
      }
    } catch {
      $("result").textContent = t.failed;
      button.disabled = false;
    }
  });
}
