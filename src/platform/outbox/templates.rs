//! Mail texts: one catalog per language (`locales/*.toml`) with a section per mail kind, and
//! one shared layout in text and HTML. Catalog strings are templates themselves, so they can
//! name the recipient, the school or a link lifetime.

use std::collections::HashMap;

use anyhow::Context;
use minijinja::{AutoEscape, Environment};
use serde::{Deserialize, Serialize};

use super::mail::{OutgoingMail, mailbox};
use crate::entities::users::{self, Language};

const LAYOUT_TEXT: &str = include_str!("templates/layout.txt");
const LAYOUT_HTML: &str = include_str!("templates/layout.html");

#[derive(Debug, Deserialize)]
struct MailText {
    subject: String,
    greeting: String,
    paragraphs: Vec<String>,
    action: Option<String>,
    closing: Vec<String>,
    /// Marks unread entries of a list (digest, news batch).
    unread: Option<String>,
    /// The label of the unsubscribe link of subscription mail.
    unsubscribe: Option<String>,
}

/// The filled-in texts of one mail or letter.
#[derive(Debug, Clone)]
pub struct Texts {
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    pub action: Option<String>,
    pub closing: Vec<String>,
    pub unread: Option<String>,
    pub unsubscribe: Option<String>,
}

/// One entry of a mail's list (a post in the digest or the news batch).
#[derive(Debug, Clone, Serialize)]
pub struct MailItem {
    pub title: String,
    pub excerpt: String,
    pub date: String,
    pub url: String,
    pub unread: bool,
}

/// What a mail carries besides its catalog texts.
#[derive(Debug, Clone, Default)]
pub struct MailParts<'a> {
    /// The button's target.
    pub action_url: Option<&'a str>,
    pub items: &'a [MailItem],
    /// Where the recipient switches this kind of mail off (subscription mail only).
    pub unsubscribe_url: Option<&'a str>,
}

/// The rendered parts of one mail.
#[derive(Debug, Clone)]
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct MailTemplates {
    env: Environment<'static>,
    catalogs: HashMap<Language, HashMap<String, MailText>>,
}

#[derive(Serialize)]
struct LayoutContext<'a> {
    language: &'a str,
    subject: &'a str,
    greeting: &'a str,
    paragraphs: &'a [String],
    action_label: Option<&'a str>,
    action_url: Option<&'a str>,
    closing: &'a [String],
    school: &'a str,
    items: &'a [MailItem],
    unread_label: Option<&'a str>,
    unsubscribe_label: Option<&'a str>,
    unsubscribe_url: Option<&'a str>,
}

impl MailTemplates {
    pub fn load() -> anyhow::Result<Self> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.add_template("layout.txt", LAYOUT_TEXT)?;
        env.add_template("layout.html", LAYOUT_HTML)?;
        let mut catalogs = HashMap::new();
        for (language, source) in [
            (Language::Nl, include_str!("locales/nl.toml")),
            (Language::De, include_str!("locales/de.toml")),
            (Language::En, include_str!("locales/en.toml")),
        ] {
            let catalog: HashMap<String, MailText> =
                toml::from_str(source).with_context(|| format!("mail catalog {language}"))?;
            catalogs.insert(language, catalog);
        }
        Ok(Self { env, catalogs })
    }

    /// The filled-in texts of `kind` in `language` (also used for printed letters).
    pub fn texts(
        &self,
        kind: &str,
        language: Language,
        values: &serde_json::Value,
    ) -> anyhow::Result<Texts> {
        let text = self
            .catalogs
            .get(&language)
            .and_then(|catalog| catalog.get(kind))
            .with_context(|| format!("no text '{kind}' in {language}"))?;
        let fill = |template: &str| -> anyhow::Result<String> {
            Ok(self.env.render_str(template, values)?)
        };
        // A paragraph that fills in empty (an optional part left out) is dropped.
        let fill_all = |templates: &[String]| -> anyhow::Result<Vec<String>> {
            let filled: Vec<String> = templates
                .iter()
                .map(|t| fill(t))
                .collect::<Result<_, _>>()?;
            Ok(filled
                .into_iter()
                .filter(|text| !text.trim().is_empty())
                .collect())
        };
        Ok(Texts {
            subject: fill(&text.subject)?,
            greeting: fill(&text.greeting)?,
            paragraphs: fill_all(&text.paragraphs)?,
            action: text.action.as_deref().map(fill).transpose()?,
            closing: fill_all(&text.closing)?,
            unread: text.unread.as_deref().map(fill).transpose()?,
            unsubscribe: text.unsubscribe.as_deref().map(fill).transpose()?,
        })
    }

    /// A transactional mail to `user` in their language: the texts of `kind` filled with
    /// `values` (plus the user's first name and address and the school's name) and a button
    /// that opens `link`.
    pub fn action_mail(
        &self,
        school: &str,
        user: &users::Model,
        kind: &str,
        mut values: serde_json::Value,
        link: &str,
    ) -> anyhow::Result<OutgoingMail> {
        values["first_name"] = user.first_name.clone().into();
        values["email"] = user.email.clone().into();
        values["school"] = school.into();
        let rendered = self.render(
            kind,
            user.language,
            school,
            values,
            MailParts {
                action_url: Some(link),
                ..Default::default()
            },
        )?;
        Ok(OutgoingMail {
            to: mailbox(user)?,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            list_unsubscribe: None,
            attachments: Vec::new(),
        })
    }

    /// Renders mail `kind` in `language`; `values` fill the catalog's placeholders.
    pub fn render(
        &self,
        kind: &str,
        language: Language,
        school: &str,
        values: serde_json::Value,
        parts: MailParts<'_>,
    ) -> anyhow::Result<RenderedMail> {
        let texts = self.texts(kind, language, &values)?;
        let context = LayoutContext {
            language: language.code(),
            subject: &texts.subject,
            greeting: &texts.greeting,
            paragraphs: &texts.paragraphs,
            action_label: texts.action.as_deref(),
            action_url: parts.action_url,
            closing: &texts.closing,
            school,
            items: parts.items,
            unread_label: texts.unread.as_deref(),
            unsubscribe_label: texts.unsubscribe.as_deref(),
            unsubscribe_url: parts.unsubscribe_url,
        };
        Ok(RenderedMail {
            text: self.env.get_template("layout.txt")?.render(&context)?,
            html: self.env.get_template("layout.html")?.render(&context)?,
            subject: texts.subject,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_renders_in_every_language() {
        let templates = MailTemplates::load().unwrap();
        let values = serde_json::json!({
            "first_name": "Anna", "full_name": "Anna de Vries", "email": "anna@example.nl", "minutes": 60, "days": 30,
            "school": "De Regenboog"
        });
        for language in Language::ALL {
            for kind in ["password_reset", "activation", "registration_letter"] {
                let mail = templates
                    .render(
                        kind,
                        language,
                        "De Regenboog",
                        values.clone(),
                        MailParts {
                            action_url: Some("https://x/y?a=1&b=2"),
                            ..Default::default()
                        },
                    )
                    .unwrap();
                assert!(
                    mail.text.contains("Anna"),
                    "{kind} {language}: {}",
                    mail.text
                );
                assert!(mail.text.contains("https://x/y?a=1&b=2"));
                assert!(mail.html.contains("a=1&amp;b=2"), "{}", mail.html);
                assert!(!mail.subject.is_empty());
            }
        }
    }

    #[test]
    fn digest_and_news_render_in_every_language_with_counts() {
        let templates = MailTemplates::load().unwrap();
        let item = MailItem {
            title: "Zoo <trip>".into(),
            excerpt: "Bring lunch.".into(),
            date: "25-11-2026".into(),
            url: "https://x/posts/1".into(),
            unread: true,
        };
        for language in Language::ALL {
            for kind in ["digest", "news_batch"] {
                for (count, unread) in [(1, 1), (2, 0), (3, 2)] {
                    let values = serde_json::json!({
                        "first_name": "Anna", "school": "De Regenboog",
                        "count": count, "unread": unread,
                    });
                    let parts = MailParts {
                        action_url: Some("https://x"),
                        items: std::slice::from_ref(&item),
                        unsubscribe_url: Some("https://x/unsubscribe?token=t"),
                    };
                    let mail = templates
                        .render(kind, language, "De Regenboog", values, parts)
                        .unwrap();
                    let context = format!("{kind} {language} {count}/{unread}");
                    assert!(!mail.subject.contains("{{"), "{context}: {}", mail.subject);
                    assert!(mail.text.contains("] Zoo <trip> (25-11-2026)"), "{context}");
                    assert!(
                        mail.text.contains("https://x/unsubscribe?token=t"),
                        "{context}"
                    );
                    assert!(mail.html.contains("Zoo &lt;trip&gt;"), "{context}");
                    if kind == "digest" && count > 1 {
                        assert!(mail.subject.contains(&count.to_string()), "{context}");
                    }
                }
            }
        }
    }

    #[test]
    fn html_escapes_values() {
        let templates = MailTemplates::load().unwrap();
        let values = serde_json::json!({"first_name": "<script>", "minutes": 60});
        let mail = templates
            .render(
                "password_reset",
                Language::En,
                "School",
                values,
                MailParts {
                    action_url: Some("https://x"),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(!mail.html.contains("<script>"));
        assert!(mail.html.contains("&lt;script&gt;"));
    }
}
