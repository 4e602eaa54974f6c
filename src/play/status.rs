//! The one-line status shown while playing.

use super::deck::Side;
use super::live_meter::Reading;

/// Everything the status line shows.
#[derive(Debug, Clone)]
pub struct Status {
    pub playing: bool,
    /// `m:ss.t`.
    pub clock: String,
    /// `bar:beat`, when the song has a tempo.
    pub bar_beat: Option<String>,
    pub reading: Reading,
    /// The version playing: its number and side.
    pub version: Option<(u32, Side)>,
    /// The level-match gain applied to it (dB), when matching is on.
    pub matched_db: Option<f64>,
    /// The loop as written, when on.
    pub looping: Option<String>,
    pub solo: Option<String>,
    /// A render is running.
    pub rendering: bool,
}

impl Status {
    /// The line, cut to `width` characters.
    pub fn line(&self, width: usize) -> String {
        // Below −99.9 (a pause's ramp-down decaying in the window) reads as
        // silence, as on a hardware meter, not as −1048.7.
        let lufs = |x: f64| if x > -99.95 { format!("{x:5.1}") } else { "  -∞ ".into() };
        let mut s = format!(
            "{} {}{}  M {} S {} LUFS  TP {} dBTP",
            if self.playing { "▶" } else { "⏸" },
            self.clock,
            self.bar_beat.as_ref().map(|b| format!(" bar {b}")).unwrap_or_default(),
            lufs(self.reading.momentary),
            lufs(self.reading.short_term),
            self.reading.true_peak.map_or("  -∞".into(), |p| format!("{p:4.1}")),
        );
        if let Some((id, side)) = self.version {
            let side = match side {
                Side::A => "A latest",
                Side::B => "B previous",
            };
            s.push_str(&format!("  v{id} ({side})"));
        }
        if let Some(db) = self.matched_db {
            s.push_str(&format!(" matched {db:+.1} dB"));
        }
        if let Some(l) = &self.looping {
            s.push_str(&format!("  loop {l}"));
        }
        if let Some(n) = &self.solo {
            s.push_str(&format!("  solo {n}"));
        }
        if self.rendering {
            s.push_str("  rendering…");
        }
        s.chars().take(width.max(1)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_time_bar_meter_version_loop_and_solo() {
        let status = Status {
            playing: true,
            clock: "1:12.3".into(),
            bar_beat: Some("29:4".into()),
            reading: Reading { momentary: -14.04, short_term: -15.3, true_peak: Some(-1.26) },
            version: Some((3, Side::B)),
            matched_db: Some(-2.0),
            looping: Some("17:1..25:1".into()),
            solo: Some("vox".into()),
            rendering: false,
        };
        assert_eq!(
            status.line(200),
            "▶ 1:12.3 bar 29:4  M -14.0 S -15.3 LUFS  TP -1.3 dBTP  v3 (B previous) matched -2.0 dB  loop 17:1..25:1  solo vox"
        );
        assert_eq!(status.line(10).chars().count(), 10);
        let silent = Status { reading: Reading { momentary: -1048.7, short_term: -70.0, true_peak: None }, ..status };
        assert!(silent.line(200).contains("M   -∞  S -70.0 LUFS  TP   -∞ dBTP"), "{}", silent.line(200));
    }
}
