//! The door list: one day of a round on A4, to hang on the classroom door or keep at hand.
//! Each slot with its time and who comes (the child and its parents), blocked and free slots
//! marked, in the teacher's language.

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref};

use crate::{
    entities::users::Language,
    platform::pdf::{PageFont, deflate, font, font::SubsetFont, write_line, write_wrapped},
};

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const TIME_WIDTH: f32 = 90.0;
const SIZE: f32 = 11.0;

/// What one line of the list says.
pub enum Entry {
    Talk {
        child: String,
        parents: Vec<String>,
        /// The second slot of a double talk.
        continued: bool,
    },
    Blocked,
    Free,
}

pub struct Row {
    /// "15:00–15:10".
    pub time: String,
    pub entry: Entry,
}

pub struct DoorList {
    pub school: String,
    pub title: String,
    pub group: String,
    /// "Tuesday 22 December 2026".
    pub day: String,
    pub location: String,
    pub language: Language,
    pub rows: Vec<Row>,
}

struct Words {
    group: &'static str,
    free: &'static str,
    blocked: &'static str,
    continued: &'static str,
    parents: &'static str,
}

fn words(language: Language) -> Words {
    match language {
        Language::Nl => Words {
            group: "Groep",
            free: "vrij",
            blocked: "geblokkeerd",
            continued: "(vervolg)",
            parents: "Ouders",
        },
        Language::De => Words {
            group: "Klasse",
            free: "frei",
            blocked: "gesperrt",
            continued: "(Fortsetzung)",
            parents: "Eltern",
        },
        Language::En => Words {
            group: "Group",
            free: "free",
            blocked: "blocked",
            continued: "(continued)",
            parents: "Parents",
        },
    }
}

/// Renders the list as a PDF: as many A4 pages as its rows need.
pub fn render(list: &DoorList) -> anyhow::Result<Vec<u8>> {
    let mut regular = PageFont {
        name: Name(b"F1"),
        id: Ref::new(3),
        subset: SubsetFont::new(font::REGULAR)?,
    };
    let mut bold = PageFont {
        name: Name(b"F2"),
        id: Ref::new(4),
        subset: SubsetFont::new(font::BOLD)?,
    };
    let contents = page_contents(list, &mut regular, &mut bold);
    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let page_tree_id = Ref::new(2);
    let mut next_id = 5;
    let mut allocate = || {
        let id = Ref::new(next_id);
        next_id += 1;
        id
    };
    let pages: Vec<(Ref, Ref)> = contents.iter().map(|_| (allocate(), allocate())).collect();
    pdf.catalog(catalog_id).pages(page_tree_id);
    pdf.pages(page_tree_id)
        .kids(pages.iter().map(|(page, _)| *page))
        .count(i32::try_from(pages.len()).unwrap_or(i32::MAX));
    for (content, &(page_id, content_id)) in contents.into_iter().zip(&pages) {
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(page_tree_id);
        page.contents(content_id);
        page.resources()
            .fonts()
            .pair(regular.name, regular.id)
            .pair(bold.name, bold.id);
        page.finish();
        pdf.stream(content_id, &deflate(&content.finish()))
            .filter(Filter::FlateDecode);
    }
    for font in [&regular, &bold] {
        font.subset.write(&mut pdf, font.id, &mut allocate)?;
    }
    Ok(pdf.finish())
}

fn page_contents(list: &DoorList, regular: &mut PageFont, bold: &mut PageFont) -> Vec<Content> {
    let words = words(list.language);
    let width = PAGE_WIDTH - 2.0 * MARGIN;
    let mut pages = Vec::new();
    let mut content = Content::new();
    let mut y = PAGE_HEIGHT - MARGIN;
    let heading =
        |content: &mut Content, y: &mut f32, regular: &mut PageFont, bold: &mut PageFont| {
            write_line(content, regular, 9.0, MARGIN, *y, &list.school);
            *y -= 26.0;
            write_wrapped(content, y, bold, 17.0, MARGIN, width, &list.title);
            let mut place = format!("{} {} · {}", words.group, list.group, list.day);
            if !list.location.is_empty() {
                place.push_str(&format!(" · {}", list.location));
            }
            write_wrapped(content, y, regular, SIZE, MARGIN, width, &place);
            *y -= 14.0;
        };
    heading(&mut content, &mut y, regular, bold);
    for row in &list.rows {
        let (main, detail) = match &row.entry {
            Entry::Talk {
                child,
                parents,
                continued: false,
            } => (
                child.clone(),
                (!parents.is_empty()).then(|| format!("{}: {}", words.parents, parents.join(", "))),
            ),
            Entry::Talk {
                child,
                continued: true,
                ..
            } => (format!("{child} {}", words.continued), None),
            Entry::Blocked => (format!("– {} –", words.blocked), None),
            Entry::Free => (words.free.to_string(), None),
        };
        let needed = SIZE * 1.45 * if detail.is_some() { 2.0 } else { 1.0 } + 10.0;
        if y - needed < MARGIN {
            pages.push(std::mem::replace(&mut content, Content::new()));
            y = PAGE_HEIGHT - MARGIN;
            heading(&mut content, &mut y, regular, bold);
        }
        let talk = matches!(
            row.entry,
            Entry::Talk {
                continued: false,
                ..
            }
        );
        let time_font = if talk { &mut *bold } else { &mut *regular };
        write_line(&mut content, time_font, SIZE, MARGIN, y, &row.time);
        let text_font = if talk { &mut *bold } else { &mut *regular };
        let mut line_y = y;
        write_wrapped(
            &mut content,
            &mut line_y,
            text_font,
            SIZE,
            MARGIN + TIME_WIDTH,
            width - TIME_WIDTH,
            &main,
        );
        if let Some(detail) = detail {
            write_wrapped(
                &mut content,
                &mut line_y,
                regular,
                9.5,
                MARGIN + TIME_WIDTH,
                width - TIME_WIDTH,
                &detail,
            );
        }
        y = line_y - 10.0;
        // A thin line under each slot.
        content.set_line_width(0.4);
        content.move_to(MARGIN, y + 5.0);
        content.line_to(PAGE_WIDTH - MARGIN, y + 5.0);
        content.stroke();
    }
    pages.push(content);
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(rows: usize) -> DoorList {
        DoorList {
            school: "De Regenboog".into(),
            title: "Oudergesprekken".into(),
            group: "3a".into(),
            day: "dinsdag 22 december 2026".into(),
            location: "Lokaal 3a".into(),
            language: Language::Nl,
            rows: (0..rows)
                .map(|i| Row {
                    time: format!("15:{:02}–15:{:02}", i % 6 * 10, i % 6 * 10 + 10),
                    entry: match i % 3 {
                        0 => Entry::Talk {
                            child: "Ayşe Şahin".into(),
                            parents: vec!["Fatma Şahin".into(), "Ольга Şahin".into()],
                            continued: false,
                        },
                        1 => Entry::Blocked,
                        _ => Entry::Free,
                    },
                })
                .collect(),
        }
    }

    #[test]
    fn a_day_prints_each_slot_with_who_comes_and_breaks_into_pages() {
        let pdf = render(&list(9)).unwrap();
        let text = pdf_extract_text(&pdf);
        assert!(text.contains("Ayşe Şahin"), "{text}");
        assert!(text.contains("Ouders: Fatma Şahin, Ольга Şahin"), "{text}");
        assert!(text.contains("geblokkeerd"), "{text}");
        assert!(text.contains("vrij"), "{text}");
        assert_eq!(pages(&pdf), 1);
        assert_eq!(pages(&render(&list(60)).unwrap()), 3);
    }

    fn pages(pdf: &[u8]) -> usize {
        lopdf::Document::load_mem(pdf).unwrap().get_pages().len()
    }

    fn pdf_extract_text(pdf: &[u8]) -> String {
        let document = lopdf::Document::load_mem(pdf).unwrap();
        let pages: Vec<u32> = document.get_pages().keys().copied().collect();
        document.extract_text(&pages).unwrap()
    }
}
