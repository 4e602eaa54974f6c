//! A bracket scanner that knows comments and strings, for what pest cannot say.
//!
//! Used twice: before parsing, to refuse nesting deep enough to exhaust the
//! stack (pest and the AST builder both recurse per bracket); and after a
//! failure, to point at the bracket or quote that was left open.

/// Open brackets and string quotes, innermost last.
#[derive(Debug, Default)]
pub(super) struct Brackets {
    pub(super) open: Vec<(usize, char)>,
    in_comment: bool,
    in_string: bool,
    escaped: bool,
}

impl Brackets {
    /// Feeds one character at byte offset `i`.
    fn step(&mut self, i: usize, c: char) {
        if self.in_comment {
            self.in_comment = !matches!(c, '\n' | '\r');
        } else if self.in_string {
            // A string never spans lines, so a newline ends it as the grammar does
            // (pest's NEWLINE includes a lone `\r`).
            if matches!(c, '\n' | '\r') || (c == '"' && !self.escaped) {
                self.in_string = false;
                self.open.pop();
            }
            self.escaped = c == '\\' && !self.escaped;
        } else {
            match c {
                '#' => self.in_comment = true,
                '"' => {
                    self.in_string = true;
                    self.escaped = false;
                    self.open.push((i, '"'));
                }
                '{' | '(' | '[' => self.open.push((i, c)),
                '}' | ')' | ']' => {
                    self.open.pop();
                }
                _ => {}
            }
        }
    }

    /// What is still open just before byte offset `pos`.
    pub(super) fn open_at(text: &str, pos: usize) -> Vec<(usize, char)> {
        let mut b = Brackets::default();
        for (i, c) in text.char_indices().take_while(|(i, _)| *i < pos) {
            b.step(i, c);
        }
        b.open
    }

    /// The offset of the first bracket nested deeper than `limit`, if any.
    pub(super) fn too_deep(text: &str, limit: usize) -> Option<usize> {
        let mut b = Brackets::default();
        for (i, c) in text.char_indices() {
            b.step(i, c);
            if b.open.len() > limit {
                return Some(i);
            }
        }
        None
    }
}
