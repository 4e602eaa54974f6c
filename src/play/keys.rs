//! The keys while playing, and what each one asks for.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::deck::Side;

/// Seconds a ←/→ press moves the playhead.
pub const SEEK_STEP: f64 = 5.0;

/// What a key press asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    TogglePause,
    /// Move the playhead by this many seconds.
    Seek(f64),
    /// Back to where playback started (`--from`, or the loop start).
    Restart,
    ToggleLoop,
    Select(Side),
    ToggleMatch,
    /// Ask for a node name to solo.
    Solo,
    Quit,
}

/// The one-line help shown at start.
pub const HELP: &str = "space play/pause · ←/→ 5 s · home restart · l loop · a/b A/B · m level-match · s solo · q quit";

/// The action of a key press, if it has one. Ctrl-C quits too: in raw mode
/// it arrives as a key, not as a signal.
pub fn action(key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, KeyCode::Char('c') | KeyCode::Char('d')).then_some(Action::Quit);
    }
    Some(match key.code {
        KeyCode::Char(' ') => Action::TogglePause,
        KeyCode::Left => Action::Seek(-SEEK_STEP),
        KeyCode::Right => Action::Seek(SEEK_STEP),
        KeyCode::Home => Action::Restart,
        KeyCode::Char('l') | KeyCode::Char('L') => Action::ToggleLoop,
        KeyCode::Char('a') | KeyCode::Char('A') => Action::Select(Side::A),
        KeyCode::Char('b') | KeyCode::Char('B') => Action::Select(Side::B),
        KeyCode::Char('m') | KeyCode::Char('M') => Action::ToggleMatch,
        KeyCode::Char('s') | KeyCode::Char('S') => Action::Solo,
        KeyCode::Char('q') | KeyCode::Char('Q') | KeyCode::Esc => Action::Quit,
        _ => return None,
    })
}

/// Typing a node name after `s`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Prompt {
    pub text: String,
}

/// What a key does to the prompt.
#[derive(Debug, PartialEq)]
pub enum PromptResult {
    Typing,
    /// Enter: the name (empty: solo off).
    Done(String),
    Cancelled,
}

impl Prompt {
    pub fn key(&mut self, key: KeyEvent) -> PromptResult {
        if key.kind == KeyEventKind::Release {
            return PromptResult::Typing;
        }
        match key.code {
            KeyCode::Enter => PromptResult::Done(std::mem::take(&mut self.text).trim().to_string()),
            KeyCode::Esc => PromptResult::Cancelled,
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => PromptResult::Cancelled,
            KeyCode::Backspace => {
                self.text.pop();
                PromptResult::Typing
            }
            KeyCode::Char(c) => {
                self.text.push(c);
                PromptResult::Typing
            }
            _ => PromptResult::Typing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn each_key_does_what_the_help_line_says() {
        assert_eq!(action(key(KeyCode::Char(' '))), Some(Action::TogglePause));
        assert_eq!(action(key(KeyCode::Left)), Some(Action::Seek(-5.0)));
        assert_eq!(action(key(KeyCode::Right)), Some(Action::Seek(5.0)));
        assert_eq!(action(key(KeyCode::Char('l'))), Some(Action::ToggleLoop));
        assert_eq!(action(key(KeyCode::Char('a'))), Some(Action::Select(Side::A)));
        assert_eq!(action(key(KeyCode::Char('B'))), Some(Action::Select(Side::B)));
        assert_eq!(action(key(KeyCode::Char('m'))), Some(Action::ToggleMatch));
        assert_eq!(action(key(KeyCode::Char('s'))), Some(Action::Solo));
        assert_eq!(action(key(KeyCode::Char('q'))), Some(Action::Quit));
        assert_eq!(action(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Action::Quit));
        assert_eq!(action(key(KeyCode::Char('x'))), None);
    }

    #[test]
    fn the_prompt_edits_and_ends_on_enter_or_escape() {
        let mut p = Prompt::default();
        for c in "voxx".chars() {
            assert_eq!(p.key(key(KeyCode::Char(c))), PromptResult::Typing);
        }
        p.key(key(KeyCode::Backspace));
        assert_eq!(p.key(key(KeyCode::Enter)), PromptResult::Done("vox".into()));
        assert_eq!(p.key(key(KeyCode::Esc)), PromptResult::Cancelled);
    }
}
