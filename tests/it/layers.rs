//! The layers of the code, read from its own `crate::`, `super::` and `self::` references
//! (tests and demo data left out): the shared modules import no area, the change log's
//! recording side and auth sit below the areas, and no circle of files spans two areas.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Modules every area uses; they import none of the areas.
const SHARED: [&str; 6] = ["web", "db", "error", "code", "config", "mail"];

/// What the layers just above the shared modules may import besides them.
const BELOW_AREAS: [(&str, &[&str]); 2] = [("audit_log", &[]), ("auth", &["audit_log"])];

/// Composition and data for demonstration: above everything, imported by nothing that counts.
fn left_out(file: &str) -> bool {
    file.starts_with("bin/")
        || file.starts_with("demo/")
        || file.ends_with("/demo.rs")
        || ["lib.rs", "main.rs", "demo.rs"].contains(&file)
}

/// A file's module path: `org/pages/users.rs` is `org::pages::users`, `org/mod.rs` is `org`.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.trim_end_matches(".rs").split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The paths a reference names: `crate::{a::b, c::{d, e}}` names `a::b`, `c::d` and `c::e`.
fn paths_at(text: &[u8], mut at: usize, prefix: String) -> (Vec<String>, usize) {
    let mut current = prefix;
    while at < text.len() {
        let c = text[at];
        if c == b'{' {
            let mut found = Vec::new();
            at += 1;
            loop {
                while at < text.len() && matches!(text[at], b' ' | b'\n' | b'\t' | b',') {
                    at += 1;
                }
                if at >= text.len() || text[at] == b'}' {
                    return (found, at + 1);
                }
                let (inner, next) = paths_at(text, at, current.clone());
                found.extend(inner);
                at = next;
                while at < text.len() && !matches!(text[at], b',' | b'}' | b'{') {
                    at += 1;
                }
            }
        }
        if c.is_ascii_alphanumeric() || c == b'_' || c == b':' {
            current.push(c as char);
            at += 1;
        } else {
            break;
        }
    }
    (vec![current], at)
}

/// The text without its `#[cfg(test)] mod … { … }` blocks.
fn without_test_modules(text: &str) -> String {
    let mut kept = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]\nmod ") {
        kept.push_str(&rest[..at]);
        let Some(open) = rest[at..].find('{').map(|i| at + i) else { return kept };
        let mut depth = 0;
        let mut end = rest.len();
        for (i, c) in rest[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 1 => {
                    end = open + i + 1;
                    break;
                }
                '}' => depth -= 1,
                _ => {}
            }
        }
        rest = &rest[end..];
    }
    kept.push_str(rest);
    kept
}

/// Each file's references to other files, by file.
fn references(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    let mut folders = vec![src.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path.strip_prefix(src).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let by_module: BTreeMap<Vec<String>, String> = files.iter().map(|f| (module_of(f), f.clone())).collect();
    let resolve = |segments: &[String]| (1..=segments.len()).rev().find_map(|n| by_module.get(&segments[..n]).cloned());
    let mut graph = BTreeMap::new();
    for file in files.iter().filter(|f| !left_out(f)) {
        let text = std::fs::read_to_string(src.join(file)).unwrap();
        // Comments and test modules are not references.
        let code: String = without_test_modules(&text)
            .lines()
            .map(|line| line.split("//").next().unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        let me = module_of(file);
        let is_folder = file.ends_with("mod.rs");
        let bytes = code.as_bytes();
        let mut found = BTreeSet::new();
        for (keyword, base) in [
            ("crate::", Vec::new()),
            ("super::", me[..me.len().saturating_sub(1)].to_vec()),
            ("self::", if is_folder { me.clone() } else { me[..me.len().saturating_sub(1)].to_vec() }),
        ] {
            for (at, _) in code.match_indices(keyword) {
                let before = at.checked_sub(1).map(|i| bytes[i]);
                if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':') {
                    continue;
                }
                for path in paths_at(bytes, at + keyword.len(), String::new()).0 {
                    let mut base = base.clone();
                    let mut rest = path.as_str();
                    while let Some(after) = rest.strip_prefix("super::") {
                        base.pop();
                        rest = after;
                    }
                    let segments: Vec<String> = base
                        .into_iter()
                        .chain(rest.split("::").filter(|s| !s.is_empty() && *s != "self").map(str::to_string))
                        .collect();
                    if let Some(target) = resolve(&segments) {
                        found.insert(target);
                    }
                }
            }
        }
        // A folder's own file that uses or re-exports a child module depends on it.
        if is_folder {
            for line in code.lines() {
                let line = line.trim_start().trim_start_matches("pub ").trim_start_matches("pub(crate) ");
                if let Some(child) = line.strip_prefix("use ").and_then(|rest| rest.split("::").next()) {
                    let mut child_module = me.clone();
                    child_module.push(child.to_string());
                    if let Some(target) = by_module.get(&child_module) {
                        found.insert(target.clone());
                    }
                }
            }
        }
        found.remove(file);
        found.retain(|target| !left_out(target));
        graph.insert(file.clone(), found);
    }
    graph
}

fn top_module(file: &str) -> &str {
    file.split('/').next().unwrap().trim_end_matches(".rs")
}

/// The strongly connected sets of files (Tarjan), each with more than one file.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(walk: &mut Walk<'a>, file: &'a str) {
        let n = walk.index.len();
        walk.index.insert(file, n);
        walk.low.insert(file, n);
        walk.stack.push(file);
        walk.on_stack.insert(file);
        for next in walk.graph.get(file).into_iter().flatten() {
            if !walk.index.contains_key(next.as_str()) {
                visit(walk, next);
                let low = walk.low[file].min(walk.low[next.as_str()]);
                walk.low.insert(file, low);
            } else if walk.on_stack.contains(next.as_str()) {
                let low = walk.low[file].min(walk.index[next.as_str()]);
                walk.low.insert(file, low);
            }
        }
        if walk.low[file] == walk.index[file] {
            let mut circle = Vec::new();
            while let Some(top) = walk.stack.pop() {
                walk.on_stack.remove(top);
                circle.push(top.to_string());
                if top == file {
                    break;
                }
            }
            if circle.len() > 1 {
                circle.sort();
                walk.found.push(circle);
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for file in graph.keys() {
        if !walk.index.contains_key(file.as_str()) {
            visit(&mut walk, file);
        }
    }
    walk.found
}

#[test]
fn the_rules_find_a_circle_and_a_reference_in_a_group() {
    let (paths, _) = paths_at(b"{web::Chrome, org::{store::{self, Body}, model}};", 0, String::new());
    assert_eq!(paths, ["web::Chrome", "org::store::self", "org::store::Body", "org::model"]);
    let text =
        "use crate::a;\n#[cfg(test)]\nmod tests {\n    fn f() { crate::b::x(); }\n}\npub fn g() { crate::c::y(); }\n";
    let kept = without_test_modules(text);
    assert!(kept.contains("crate::a") && !kept.contains("crate::b") && kept.contains("crate::c"), "{kept}");
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a/mod.rs", vec!["b/store.rs"]),
        ("b/store.rs", vec!["c.rs"]),
        ("c.rs", vec!["a/mod.rs"]),
        ("d.rs", vec!["a/mod.rs"]),
    ]
    .into_iter()
    .map(|(f, to)| (f.to_string(), to.into_iter().map(str::to_string).collect()))
    .collect();
    assert_eq!(circles(&graph), [vec!["a/mod.rs", "b/store.rs", "c.rs"]]);
}

#[test]
fn no_circle_of_files_spans_two_areas_and_the_lower_layers_import_no_area() {
    let graph = references(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph.len() > 150, "the source was read: {} files", graph.len());
    // The reader sees a reference written inside a group, and one through `super::`.
    assert!(graph["org/service.rs"].contains("classification/store.rs"), "{:?}", graph["org/service.rs"]);
    assert!(graph["org/pages/users.rs"].contains("org/service.rs"), "{:?}", graph["org/pages/users.rs"]);

    let spanning: Vec<Vec<String>> = circles(&graph)
        .into_iter()
        .filter(|circle| circle.iter().map(|f| top_module(f)).collect::<BTreeSet<_>>().len() > 1)
        .collect();
    assert!(spanning.is_empty(), "circles of files across areas: {spanning:#?}");

    let mut wrong = Vec::new();
    for (file, targets) in &graph {
        let from = top_module(file);
        let allowed: Vec<&str> = if SHARED.contains(&from) {
            SHARED.to_vec()
        } else if let Some((_, above_shared)) = BELOW_AREAS.iter().find(|(module, _)| *module == from) {
            SHARED.iter().chain(above_shared.iter()).copied().collect()
        } else {
            continue;
        };
        for target in targets {
            let to = top_module(target);
            if to != from && !allowed.contains(&to) {
                wrong.push(format!("{file} imports {target}"));
            }
        }
    }
    assert!(wrong.is_empty(), "a lower layer imports an area: {wrong:#?}");
}

/// Permission is decided in each area's use cases, once for page and API: a page or API
/// handler that checked it itself could drift from the other door.
#[test]
fn handlers_hold_no_permission_check() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checking = Vec::new();
    for file in references(&src).keys() {
        let name = file.rsplit('/').next().unwrap();
        let handler = file.contains("/pages/") || ["pages.rs", "api.rs"].iter().any(|end| name.ends_with(end));
        let code = without_test_modules(&std::fs::read_to_string(src.join(file)).unwrap());
        if handler && code.contains(".require(") {
            checking.push(file.clone());
        }
    }
    assert!(checking.is_empty(), "handlers that check permission themselves: {checking:?}");
}
