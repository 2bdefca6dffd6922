//! The layering of the code, checked on its source: the features, the platform and the
//! application core never name the HTTP layer or poem (only `src/http` does), and a feature
//! uses another feature only through that one's `mod.rs`.

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

/// Whether a line names poem, poem-openapi or the HTTP layer.
fn names_http(line: &str) -> bool {
    [
        "poem::",
        "poem_openapi",
        "crate::http",
        "use poem",
        "super::http",
    ]
    .iter()
    .any(|needle| line.contains(needle))
}

#[test]
fn only_the_http_layer_names_poem() {
    let mut offences = Vec::new();
    for layer in ["features", "platform", "app", "entities"] {
        for file in rust_files(&source_root().join(layer)) {
            let in_api = file.components().any(|part| part.as_os_str() == "api")
                || file.file_name().is_some_and(|name| name == "api.rs");
            if layer == "features" && in_api {
                // A feature's handlers are HTTP by nature.
                continue;
            }
            for (number, line) in code_lines(&file) {
                if names_http(&line) {
                    offences.push(format!("{}:{number}: {}", file.display(), line.trim()));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "below the HTTP layer, nothing may name poem or crate::http:\n{}",
        offences.join("\n")
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
    let mut offences = Vec::new();
    for own in &names {
        for file in rust_files(&features.join(own)) {
            for (number, line) in code_lines(&file) {
                for other in names.iter().filter(|other| *other != own) {
                    // `features::school::store::...` reaches behind school's mod.rs; its
                    // public items (`features::school::list_children`, `school::ChildView`)
                    // do not.
                    for inner in ["store", "api", "rules", "mails", "notify", "mail"] {
                        let behind = format!("{other}::{inner}::");
                        if line.contains(&format!("features::{behind}"))
                            || line.contains(&format!(" {behind}"))
                        {
                            offences.push(format!("{}:{number}: {}", file.display(), line.trim()));
                        }
                    }
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "features use each other only through mod.rs:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_check_sees_a_layering_break() {
    assert!(names_http("use poem::web::Data;"));
    assert!(names_http("    crate::http::state::HttpState,"));
    assert!(!names_http("use crate::platform::db;"));
}
