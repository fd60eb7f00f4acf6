//! Search text typed by a user, made safe for `ILIKE '%' || $n || '%'`: `%`, `_` and `\` match
//! themselves (PostgreSQL's LIKE escapes with `\` unless told otherwise), and the text is cut
//! to `MAX_CHARS`, so a search costs one linear pass per row whatever was typed.

/// The longest search text that is used; the rest is ignored.
pub const MAX_CHARS: usize = 200;

/// The pattern body for a "contains" search: trimmed, capped and escaped. Empty stays empty,
/// which the queries read as "no search".
pub fn contains(text: &str) -> String {
    let mut pattern = String::new();
    for c in text.trim().chars().take(MAX_CHARS) {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_themselves() {
        assert_eq!(contains("50%"), "50\\%");
        assert_eq!(contains("a_b"), "a\\_b");
        assert_eq!(contains("c:\\temp"), "c:\\\\temp");
        assert_eq!(contains("  Skolplattformen "), "Skolplattformen");
        assert_eq!(contains(""), "");
    }

    #[test]
    fn long_text_is_capped() {
        let typed = "%".repeat(20_000);
        assert_eq!(contains(&typed), "\\%".repeat(MAX_CHARS));
    }
}
