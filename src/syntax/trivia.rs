//! Trivia the grammar skips: comments and blank lines, found by a small scan.
//!
//! The pest grammar drops comments, so the formatter finds them here. The scan
//! only has to know strings (a `#` inside `"..."` is text) and that a comment
//! runs to the end of its line; nothing else in the language contains `#`.

/// One `# ...` comment in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Byte offset of the `#`.
    pub start: usize,
    /// Byte offset just past the comment (before the newline).
    pub end: usize,
    /// Column of the `#` in characters, counted from 0.
    pub col: usize,
    /// The text from `#` on, trailing whitespace removed.
    pub text: String,
}

/// Every comment in `text`, in order.
pub fn comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut line_start = 0;
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\n' => {
                // Strings cannot span lines; an unclosed one ends here (the
                // parser rejects it, so this only keeps the scan sane).
                in_string = false;
                line_start = i + 1;
            }
            _ if in_string => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            }
            '"' => in_string = true,
            '#' => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                let col = text[line_start..i].chars().count();
                out.push(Comment { start: i, end, col, text: text[i..end].trim_end().to_string() });
                // Skip to the newline so that quotes inside the comment are ignored.
                while chars.clone().next().is_some_and(|(j, _)| j < end) {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether `gap` (the text between two constructs) holds a blank line: a line
/// strictly inside it with nothing but whitespace or separators.
pub fn has_blank_line(gap: &str) -> bool {
    let segments: Vec<&str> = gap.split('\n').collect();
    segments.len() > 2 && segments[1..segments.len() - 1].iter().any(|s| s.trim_matches(is_filler).is_empty())
}

/// Characters that carry no meaning on a line of their own.
fn is_filler(c: char) -> bool {
    c.is_whitespace() || c == ';' || c == ',' || c == '\u{FEFF}'
}

/// Whether `gap` crosses a line break.
pub fn has_newline(gap: &str) -> bool {
    gap.contains('\n')
}

/// Whether a trailing comment may follow code that ended just before `gap`:
/// only spaces and separators between them.
pub fn is_trailing_gap(gap: &str) -> bool {
    gap.chars().all(|c| c == ' ' || c == '\t' || c == ',' || c == ';')
}

/// Width of `s` in columns (characters; the language is mostly ASCII).
pub fn width(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_comments_outside_strings() {
        let text = "a = \"x # y\"  # real \"quoted\"\n# own\nb = 1";
        let found: Vec<_> = comments(text).into_iter().map(|c| (c.text, c.col)).collect();
        assert_eq!(found, vec![("# real \"quoted\"".to_string(), 13), ("# own".to_string(), 0)]);
    }

    #[test]
    fn escaped_quote_stays_in_string() {
        let text = "a = \"q\\\" # no\" # yes";
        let found: Vec<_> = comments(text).into_iter().map(|c| c.text).collect();
        assert_eq!(found, vec!["# yes".to_string()]);
    }

    #[test]
    fn blank_lines() {
        assert!(!has_blank_line("  # c\n"));
        assert!(!has_blank_line("\n# c\n"));
        assert!(has_blank_line("\n\n"));
        assert!(has_blank_line("  # c\n   \n# d\n"));
        assert!(has_blank_line("\n ; \n"));
    }
}
