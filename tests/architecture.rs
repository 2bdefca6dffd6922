//! The layering of the code, checked on its source. From the top: `main`/`cli`/`startup`/
//! `demo` (the composition root) -> `http` -> `features` -> `platform` -> `app` ->
//! `entities`. Each layer names only layers below it; nothing outside `http` (and the
//! composition root) names poem; a feature uses another only through that one's `mod.rs`.

use std::path::{Path, PathBuf};

fn rust_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

fn source_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Lines of a file that are code, not comments.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .map(|(number, line)| (number + 1, line.to_string()))
        .collect()
}

/// The crate's top modules a file names, with the line: `crate::x` anywhere, and the first
/// segments inside `use crate::{...}` groups, however nested and wrapped; and "poem" for poem
/// and poem-openapi.
fn named_modules(path: &Path) -> Vec<(usize, String)> {
    let mut named = Vec::new();
    // Depth of braces inside a `use crate::{` group; 0 outside one.
    let mut depth = 0usize;
    for (number, line) in code_lines(path) {
        if line.contains("poem::") || line.contains("poem_openapi") {
            named.push((number, "poem".to_string()));
        }
        for (at, _) in line.match_indices("crate::") {
            let rest = &line[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                named.push((number, name));
            }
        }
        let mut text = line.as_str();
        if depth == 0 {
            match line.find("use crate::{") {
                Some(at) => text = &line[at + "use crate::".len()..],
                None => continue,
            }
        }
        let mut segment_start = true;
        let mut word = String::new();
        for c in text.chars() {
            if c.is_alphanumeric() || c == '_' {
                word.push(c);
                continue;
            }
            if !word.is_empty() {
                // The first segment of a path in the group: `features` of `features::x`,
                // or a module named alone (`demo` in `{cli, demo}`).
                if segment_start && depth == 1 && matches!(c, ':' | ',' | '}') {
                    named.push((number, word.clone()));
                }
                segment_start = false;
                word.clear();
            }
            match c {
                '{' => {
                    depth += 1;
                    segment_start = true;
                }
                '}' => depth = depth.saturating_sub(1),
                ',' => segment_start = true,
                _ => {}
            }
        }
    }
    named
}

/// Every place below `folder` that names something of `forbidden`.
fn offences(folder: &str, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in rust_files(&source_root().join(folder)) {
        for (number, name) in named_modules(&file) {
            if forbidden.contains(&name.as_str()) {
                found.push(format!("{}:{number}: names {name}", file.display()));
            }
        }
    }
    found
}

const ROOT: &[&str] = &["startup", "cli", "demo"];

#[test]
fn each_layer_names_only_layers_below_it() {
    let mut found = Vec::new();
    let above = |extra: &[&'static str]| [ROOT, extra].concat();
    found.extend(offences(
        "entities",
        &above(&["http", "features", "platform", "app", "poem"]),
    ));
    found.extend(offences(
        "app",
        &above(&["http", "features", "platform", "poem"]),
    ));
    found.extend(offences("platform", &above(&["http", "features", "poem"])));
    found.extend(offences("features", &above(&["http", "poem"])));
    found.extend(offences("http", ROOT));
    assert!(
        found.is_empty(),
        "a layer names one above it:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_feature_uses_another_only_through_its_mod_rs() {
    let features = source_root().join("features");
    let names: Vec<String> = std::fs::read_dir(&features)
        .unwrap()
        .filter_map(|entry| {
            let path = entry.unwrap().path();
            path.is_dir()
                .then(|| path.file_name().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    let mut found = Vec::new();
    for own in &names {
        for file in rust_files(&features.join(own)) {
            for (number, line) in code_lines(&file) {
                for other in names.iter().filter(|other| *other != own) {
                    // `features::school::store::...` reaches behind school's mod.rs; its
                    // public items (`features::school::list_children`) do not.
                    for inner in ["store", "rules", "mails", "notify", "mail"] {
                        let behind = format!("{other}::{inner}::");
                        if line.contains(&format!("features::{behind}"))
                            || line.contains(&format!(" {behind}"))
                        {
                            found.push(format!("{}:{number}: {}", file.display(), line.trim()));
                        }
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "features use each other only through mod.rs:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_every_way_of_naming_a_module() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sample.rs");
    std::fs::write(
        &file,
        "use poem::web::Data;\n\
         use crate::{\n    app::error::AppError,\n    features::{accounts, posts},\n    http::{\n        state::HttpState,\n    },\n};\n\
         use crate::platform::db;\n\
         // crate::startup in a comment does not count\n\
         fn f() { let features = 3; crate::demo::run(); }\n",
    )
    .unwrap();
    let names: Vec<String> = named_modules(&file).into_iter().map(|(_, n)| n).collect();
    assert_eq!(
        names,
        ["poem", "app", "features", "http", "platform", "demo"]
    );
}
