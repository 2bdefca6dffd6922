//! Reading an exported table: UTF-8 (with or without BOM) or Windows-1252, comma, semicolon
//! or tab separated, quoted fields, header names in German, Dutch or English in any order.

use std::collections::HashMap;

use super::{Problem, lost_letter};
use crate::platform::text::is_refused_control;

/// The columns an import knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    FirstName,
    NamePrefix,
    LastName,
    Address,
    Email,
    Phone,
    ChildId,
    Group,
    Language,
}

impl Column {
    /// The name shown in messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::FirstName => "first name (Vorname / Voornaam)",
            Self::NamePrefix => "name prefix (Namenszusatz / Tussenvoegsel)",
            Self::LastName => "last name (Nachname / Achternaam)",
            Self::Address => "address (Adresse / Adres)",
            Self::Email => "e-mail (E-Mail / E-mailadres)",
            Self::Phone => "phone (Telefonnummer / Telefoon)",
            Self::ChildId => "child ID (Kind-ID / Leerling-ID)",
            Self::Group => "group (Klasse / Groep)",
            Self::Language => "language (Sprache / Taal)",
        }
    }

    pub fn field(self) -> &'static str {
        match self {
            Self::FirstName => "first_name",
            Self::NamePrefix => "name_prefix",
            Self::LastName => "last_name",
            Self::Address => "address",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::ChildId => "child_id",
            Self::Group => "group",
            Self::Language => "language",
        }
    }

    /// Recognises a header cell in English, German or Dutch, ignoring case, spaces,
    /// dashes, dots and umlauts.
    pub fn from_header(header: &str) -> Option<Self> {
        let normalized: String = header
            .to_lowercase()
            .replace('ä', "ae")
            .replace('ö', "oe")
            .replace('ü', "ue")
            .replace('ß', "ss")
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        let column = match normalized.as_str() {
            "firstname" | "givenname" | "forename" | "vorname" | "rufname" | "voornaam"
            | "roepnaam" => Self::FirstName,
            "nameprefix"
            | "surnameprefix"
            | "lastnameprefix"
            | "prefix"
            | "namenszusatz"
            | "namensvorsatz"
            | "vorsatzwort"
            | "tussenvoegsel"
            | "tussenvoegsels"
            | "voorvoegsel"
            | "voorvoegsels"
            | "tussenvoegselachternaam"
            | "voorvoegselachternaam" => Self::NamePrefix,
            "lastname" | "surname" | "familyname" | "nachname" | "familienname" | "achternaam" => {
                Self::LastName
            }
            "address" | "adresse" | "anschrift" | "adres" | "woonadres" => Self::Address,
            "email" | "emailaddress" | "mail" | "emailadresse" | "emailadres" => Self::Email,
            "phone" | "phonenumber" | "telephone" | "mobile" | "telefon" | "telefonnummer"
            | "handy" | "mobil" | "telefoon" | "telefoonnummer" | "mobiel" | "tel" => Self::Phone,
            "childid" | "studentid" | "pupilid" | "kindid" | "schuelerid" | "schuelernummer"
            | "leerlingid" | "leerlingnummer" | "kindnummer" => Self::ChildId,
            "group" | "class" | "klasse" | "gruppe" | "groep" | "klas" => Self::Group,
            "language"
            | "preferredlanguage"
            | "sprache"
            | "korrespondenzsprache"
            | "taal"
            | "voertaal"
            | "correspondentietaal" => Self::Language,
            _ => return None,
        };
        Some(column)
    }
}

/// A parsed table: which column holds what, and the data rows with their line numbers.
#[derive(Debug)]
pub struct Table {
    pub columns: HashMap<Column, usize>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    pub cells: Vec<String>,
}

impl Table {
    /// The trimmed cell of `column` in `row`; empty when the column or cell is missing.
    pub fn cell<'a>(&self, row: &'a Row, column: Column) -> &'a str {
        self.columns
            .get(&column)
            .and_then(|&index| row.cells.get(index))
            .map(|cell| cell.trim())
            .unwrap_or("")
    }
}

/// Why a file could not be read as a table at all.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the file is empty")]
    Empty,
    #[error("the file has a header line but no data rows")]
    NoDataRows,
    #[error(
        "this is a children file (it has a group column and no e-mail column): import it as children, or export the parents' table"
    )]
    ChildrenFile,
    #[error(
        "this is a parents file (it has an e-mail column and no group column): import it as parents, or export the children's table"
    )]
    ParentsFile,
    #[error("the file is not a text table (CSV or TSV); export it from Excel or Calc as CSV")]
    NotText,
    #[error("the file has more than {0} rows")]
    TooManyRows(usize),
    #[error("required columns are missing: {}", .0.iter().map(|c| c.label()).collect::<Vec<_>>().join(", "))]
    MissingColumns(Vec<Column>),
}

impl TableError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty_file",
            Self::NoDataRows => "no_data_rows",
            Self::ChildrenFile => "children_file",
            Self::ParentsFile => "parents_file",
            Self::NotText => "not_a_text_table",
            Self::TooManyRows(_) => "too_many_rows",
            Self::MissingColumns(_) => "missing_column",
        }
    }
}

/// Turns the uploaded bytes into text: UTF-8 (a BOM is dropped) or, failing that,
/// Windows-1252, which is what Excel writes for "CSV" on Western European systems.
pub fn decode(bytes: &[u8]) -> Result<String, TableError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(TableError::Empty);
    }
    if bytes.contains(&0) {
        return Err(TableError::NotText);
    }
    let without_bom = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(without_bom) {
        Ok(text) => text.to_string(),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(without_bom);
            text.into_owned()
        }
    };
    // Control characters other than line breaks and tabs mean this is no text table.
    if text.chars().any(is_refused_control) {
        return Err(TableError::NotText);
    }
    Ok(text)
}

/// The delimiter that splits the header line into the most cells.
fn detect_delimiter(text: &str) -> u8 {
    let header = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    [b'\t', b';', b',']
        .into_iter()
        .max_by_key(|&delimiter| header.matches(delimiter as char).count())
        .unwrap_or(b',')
}

/// Parses the text into a table and checks that the `required` columns are there.
pub fn parse(text: &str, required: &[Column], max_rows: usize) -> Result<Table, TableError> {
    let delimiter = detect_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = loop {
        match records.next() {
            None => return Err(TableError::Empty),
            Some(Err(_)) => return Err(TableError::NotText),
            Some(Ok(record)) if record.iter().all(|cell| cell.trim().is_empty()) => continue,
            Some(Ok(record)) => break record,
        }
    };
    let mut columns = HashMap::new();
    for (index, cell) in header.iter().enumerate() {
        if let Some(column) = Column::from_header(cell) {
            columns.entry(column).or_insert(index);
        }
    }
    let missing: Vec<Column> = required
        .iter()
        .copied()
        .filter(|column| !columns.contains_key(column))
        .collect();
    if !missing.is_empty() {
        let has = |column| columns.contains_key(&column);
        return Err(if missing == [Column::Email] && has(Column::Group) {
            TableError::ChildrenFile
        } else if missing == [Column::Group] && has(Column::Email) {
            TableError::ParentsFile
        } else {
            TableError::MissingColumns(missing)
        });
    }
    let mut rows = Vec::new();
    let mut row_numbers = RowNumbers::new(text, delimiter);
    for record in records {
        let record = record.map_err(|_| TableError::NotText)?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if rows.len() == max_rows {
            return Err(TableError::TooManyRows(max_rows));
        }
        rows.push(Row {
            line: row_numbers.at(record.position().map_or(0, |p| p.byte()) as usize),
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    if rows.is_empty() {
        return Err(TableError::NoDataRows);
    }
    Ok(Table { columns, rows })
}

/// Turns byte offsets of records into spreadsheet row numbers (the first line is row 1):
/// counts line ends outside quoted fields, with CRLF, LF and a lone CR each ending one row,
/// so a quoted cell with line breaks stays one row, as in Excel or Calc. Quotes open a
/// quoted field only at its start, as the csv reader has it.
struct RowNumbers<'a> {
    text: &'a [u8],
    delimiter: u8,
    position: usize,
    row: u64,
    state: QuoteState,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the field's end, or the first of a doubled quote.
    QuoteInQuoted,
}

impl<'a> RowNumbers<'a> {
    fn new(text: &'a str, delimiter: u8) -> Self {
        Self {
            text: text.as_bytes(),
            delimiter,
            position: 0,
            row: 1,
            state: QuoteState::FieldStart,
        }
    }

    /// The row of the record that starts at `offset`; offsets must not go backwards.
    fn at(&mut self, offset: usize) -> u64 {
        use QuoteState::*;
        // The reader may put a record's start on the line break before it (the LF of a CRLF,
        // or skipped empty lines): a record itself never starts with one.
        let mut offset = offset.min(self.text.len());
        while matches!(self.text.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        while self.position < offset {
            let byte = self.text[self.position];
            let next = self.text.get(self.position + 1).copied();
            self.state = match (self.state, byte) {
                (Quoted, b'"') => QuoteInQuoted,
                (Quoted, _) => Quoted,
                (QuoteInQuoted, b'"') => Quoted,
                (FieldStart, b'"') => Quoted,
                (_, b'\n') => {
                    self.row += 1;
                    FieldStart
                }
                (_, b'\r') => {
                    if next != Some(b'\n') {
                        self.row += 1;
                    }
                    FieldStart
                }
                (_, byte) if byte == self.delimiter => FieldStart,
                _ => Unquoted,
            };
            self.position += 1;
        }
        self.row
    }
}

/// A warning for a cell with a '?' where a letter was lost, if it has one.
pub fn lost_letter_warning(line: u64, column: Column, value: &str) -> Option<Problem> {
    lost_letter(value).then(|| {
        Problem::warning(
            line,
            "lost_letter",
            Some(column.field()),
            format!("'{value}' has a '?' where a letter was probably lost when the file was saved (Excel's \"CSV\" keeps only Western European letters): save it as \"CSV UTF-8\" and import it again."),
        )
    })
}

/// A problem for a required cell that is empty.
pub fn missing_cell(line: u64, column: Column) -> Problem {
    Problem::error(
        line,
        "missing_value",
        Some(column.field()),
        format!("The {} is empty.", column.label()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARENT_COLUMNS: &[Column] = &[
        Column::FirstName,
        Column::LastName,
        Column::Email,
        Column::ChildId,
    ];

    #[test]
    fn headers_are_recognised_in_three_languages() {
        for (header, column) in [
            ("Vorname", Column::FirstName),
            ("Voornaam", Column::FirstName),
            ("First name", Column::FirstName),
            ("E-Mail", Column::Email),
            ("E-mailadres", Column::Email),
            ("Telefonnummer", Column::Phone),
            ("Telefoon", Column::Phone),
            ("Kind-ID", Column::ChildId),
            ("Leerling-ID", Column::ChildId),
            ("Schüler-ID", Column::ChildId),
            ("Adres", Column::Address),
            ("Klasse", Column::Group),
            ("Groep", Column::Group),
        ] {
            assert_eq!(Column::from_header(header), Some(column), "{header}");
        }
        assert_eq!(Column::from_header("Lieblingsfarbe"), None);
    }

    #[test]
    fn semicolons_tabs_and_commas_are_detected_and_quotes_respected() {
        let text = "Vorname;Nachname;E-Mail;Kind-ID\n\"Max\";\"Muster; Mann\";max@x.de;1\n";
        let table = parse(text, PARENT_COLUMNS, 10).unwrap();
        assert_eq!(table.cell(&table.rows[0], Column::LastName), "Muster; Mann");
        assert_eq!(table.rows[0].line, 2);
        let tsv = "Kind-ID\tE-Mail\tVorname\tNachname\n7\tmax@x.de\tMax\tMann\n";
        let table = parse(tsv, PARENT_COLUMNS, 10).unwrap();
        assert_eq!(table.cell(&table.rows[0], Column::ChildId), "7");
    }

    #[test]
    fn rows_are_numbered_as_in_the_spreadsheet_whatever_the_line_ends() {
        let lines = |text: &str| -> Vec<u64> {
            parse(text, PARENT_COLUMNS, 10)
                .unwrap()
                .rows
                .iter()
                .map(|row| row.line)
                .collect()
        };
        let rows = [
            "Vorname;Nachname;E-Mail;Kind-ID",
            "A;B;a@b.de;1",
            "C;D;c@d.de;2",
        ];
        for end in ["\n", "\r\n", "\r"] {
            assert_eq!(lines(&(rows.join(end) + end)), [2, 3], "{end:?}");
        }
        // A quoted cell with a line break is one row; an empty row still counts.
        let text = "Vorname;Nachname;E-Mail;Kind-ID\r\n\"A\";\"B\r\nC\";a@b.de;1\r\n;;;\r\nE;F\"x;e@f.de;2\r\n\r\nG;H;g@h.de;3\r\n";
        assert_eq!(lines(text), [2, 4, 6]);
    }

    #[test]
    fn windows_1252_and_bom_are_decoded() {
        let latin1 = b"Vorname;Nachname\nJ\xfcrgen;M\xfcller\n";
        assert_eq!(decode(latin1).unwrap(), "Vorname;Nachname\nJürgen;Müller\n");
        let bom = "\u{feff}Vorname;Nachname\nJürgen;Müller\n".as_bytes();
        assert!(decode(bom).unwrap().starts_with("Vorname"));
    }

    #[test]
    fn missing_columns_are_named_and_junk_is_refused() {
        let err = parse("Vorname;Nachname\nA;B\n", PARENT_COLUMNS, 10).unwrap_err();
        assert_eq!(
            err,
            TableError::MissingColumns(vec![Column::Email, Column::ChildId])
        );
        assert!(err.to_string().contains("E-Mail"));
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0IHDR"),
            Err(TableError::NotText)
        );
        assert_eq!(decode(b"  \n"), Err(TableError::Empty));
        assert_eq!(
            parse("Vorname;Nachname;E-Mail;Kind-ID\n", PARENT_COLUMNS, 10).unwrap_err(),
            TableError::NoDataRows
        );
        assert_eq!(
            parse(
                "Kind-ID;Vorname;Nachname;Klasse\n1;A;B;3a\n",
                PARENT_COLUMNS,
                10
            )
            .unwrap_err(),
            TableError::ChildrenFile
        );
        let many = format!(
            "Vorname;Nachname;E-Mail;Kind-ID\n{}",
            "a;b;c@d.nl;1\n".repeat(3)
        );
        assert_eq!(
            parse(&many, PARENT_COLUMNS, 2).unwrap_err(),
            TableError::TooManyRows(2)
        );
    }
}
