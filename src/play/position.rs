//! Positions on the command line and in the status line: `1:12` or
//! `1:12.5` (minutes:seconds, always two digits of seconds, as a DAW's
//! min:sec counter shows them), `72s`, `1m12s`, `500ms`, and `17:1` or
//! `17:3.5` (bar:beat, as in a `.mix` file; needs the song's tempo).

use crate::check::timing::Timing;
use crate::processor::value::Value;
use crate::source::Span;

/// A position as written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Position {
    Seconds(f64),
    BarBeat { bar: f64, beat: f64 },
}

impl Position {
    pub fn parse(text: &str) -> Result<Position, String> {
        let t = text.trim();
        let bad = || {
            format!("`{t}` is not a position: write minutes:seconds (`1:12`), seconds (`72s`, `1m12s`) or bar:beat (`17:1`)")
        };
        if let Some((a, b)) = t.split_once(':') {
            let whole = b.split('.').next().unwrap_or("");
            let left: f64 = a.parse().map_err(|_| bad())?;
            let right: f64 = b.parse().map_err(|_| bad())?;
            if whole.len() == 2 {
                if right >= 60.0 || left < 0.0 {
                    return Err(bad());
                }
                return Ok(Position::Seconds(left * 60.0 + right));
            }
            return Ok(Position::BarBeat { bar: left, beat: right });
        }
        seconds_with_units(t).map(Position::Seconds).ok_or_else(bad)
    }

    /// Seconds from the start of the song, under `timing`.
    pub fn seconds(&self, timing: &Timing) -> Result<f64, String> {
        match *self {
            Position::Seconds(s) => Ok(s),
            Position::BarBeat { bar, beat } => {
                timing.position(&Value::BarBeat { bar, beat }, Span::default()).map_err(|d| match d.kind.help() {
                    Some(help) => format!("{} ({help})", d.kind.message()),
                    None => d.kind.message(),
                })
            }
        }
    }
}

/// `START..END` (either form on each side).
pub fn parse_range(text: &str) -> Result<(Position, Position), String> {
    let (a, b) = text
        .split_once("..")
        .ok_or_else(|| format!("`{text}` is not a range: write START..END, e.g. `17:1..25:1` or `0:30..1:00`"))?;
    Ok((Position::parse(a)?, Position::parse(b)?))
}

/// `72s`, `1.5s`, `1m12s`, `2m`, `500ms`.
fn seconds_with_units(t: &str) -> Option<f64> {
    if let Some(ms) = t.strip_suffix("ms") {
        return ms.parse::<f64>().ok().filter(|x| *x >= 0.0).map(|x| x / 1000.0);
    }
    let (minutes, rest) = match t.split_once('m') {
        Some((m, rest)) => (m.parse::<f64>().ok()?, rest),
        None => (0.0, t),
    };
    let seconds = match rest.strip_suffix('s') {
        Some(s) => s.parse::<f64>().ok()?,
        None if rest.is_empty() && t.ends_with('m') => 0.0,
        None => return None,
    };
    let total = minutes * 60.0 + seconds;
    (total >= 0.0 && total.is_finite()).then_some(total)
}

/// `m:ss.t` (tenths), the form [`Position::parse`] reads back.
pub fn clock(seconds: f64) -> String {
    let tenths = (seconds.max(0.0) * 10.0).floor() as u64;
    format!("{}:{:02}.{}", tenths / 600, tenths / 10 % 60, tenths % 10)
}

/// `bar:beat` at `seconds` (bar and beat from 1), when the song has a tempo.
pub fn bar_beat(seconds: f64, timing: &Timing) -> Option<String> {
    let tempo = timing.tempo?;
    let (num, den) = timing.meter;
    let beats = seconds.max(0.0) * tempo / 60.0 * den as f64 / 4.0;
    let whole = (beats + 1e-9).floor() as u64;
    Some(format!("{}:{}", whole / num as u64 + 1, whole % num as u64 + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing(tempo: f64, meter: (u32, u32)) -> Timing {
        Timing { tempo: Some(tempo), meter }
    }

    #[test]
    fn minutes_seconds_times_and_bar_beats_are_told_apart() {
        assert_eq!(Position::parse("1:12"), Ok(Position::Seconds(72.0)));
        assert_eq!(Position::parse("0:05.5"), Ok(Position::Seconds(5.5)));
        assert_eq!(Position::parse("72s"), Ok(Position::Seconds(72.0)));
        assert_eq!(Position::parse("1m12s"), Ok(Position::Seconds(72.0)));
        assert_eq!(Position::parse("2m"), Ok(Position::Seconds(120.0)));
        assert_eq!(Position::parse("250ms"), Ok(Position::Seconds(0.25)));
        assert_eq!(Position::parse("17:1"), Ok(Position::BarBeat { bar: 17.0, beat: 1.0 }));
        assert_eq!(Position::parse("3:2.5"), Ok(Position::BarBeat { bar: 3.0, beat: 2.5 }));
        for bad in ["", "x", "1:75", "-3s", "1:xx", "12"] {
            assert!(Position::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bar_beat_uses_the_songs_tempo_and_meter() {
        // 96 bpm 4/4: a bar is 2.5 s, so bar 17 starts at 40 s.
        let t = timing(96.0, (4, 4));
        assert_eq!(Position::parse("17:1").unwrap().seconds(&t), Ok(40.0));
        assert_eq!(bar_beat(40.0, &t).as_deref(), Some("17:1"));
        assert_eq!(bar_beat(41.3, &t).as_deref(), Some("17:3"));
        // 6/8 at 120 (quarters): an eighth is 0.25 s, a bar 1.5 s.
        let t = timing(120.0, (6, 8));
        assert_eq!(Position::parse("2:4").unwrap().seconds(&t), Ok(2.25));
        assert_eq!(bar_beat(2.25, &t).as_deref(), Some("2:4"));
        let e = Position::parse("1:7").unwrap().seconds(&t).unwrap_err();
        assert!(e.contains("past the end of a 6/8 bar"), "{e}");
        let none = Timing { tempo: None, meter: (4, 4) };
        assert!(Position::parse("17:1").unwrap().seconds(&none).unwrap_err().contains("tempo"));
        assert_eq!(bar_beat(3.0, &none), None);
    }

    #[test]
    fn the_clock_reads_back_as_the_same_position() {
        assert_eq!(clock(72.34), "1:12.3");
        assert_eq!(clock(5.0), "0:05.0");
        assert_eq!(Position::parse(&clock(754.5)), Ok(Position::Seconds(754.5)));
    }

    #[test]
    fn ranges_take_either_form_on_each_side() {
        let (a, b) = parse_range("17:1..25:1").unwrap();
        assert_eq!((a, b), (Position::BarBeat { bar: 17.0, beat: 1.0 }, Position::BarBeat { bar: 25.0, beat: 1.0 }));
        assert_eq!(parse_range("0:30..1:00").unwrap().1, Position::Seconds(60.0));
        assert!(parse_range("17:1").is_err());
    }
}
