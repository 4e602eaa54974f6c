//! The CUE sheet beside a single-file album: one `TRACK` per song, its
//! `INDEX 01` where the song starts and `INDEX 00` where the gap before it
//! begins, in `mm:ss:ff` (ff: CD frames of 1/75 s).

use super::sequence::Layout;
use super::Album;

/// The CUE sheet of `album` laid out as `layout`, in the audio file `file`
/// (its name as the sheet refers to it: the sheet sits beside it).
pub fn sheet(album: &Album, layout: &Layout, file: &str) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push_str("\r\n");
    };
    for (key, value) in &album.extra {
        match key.as_str() {
            "genre" => line(format!("REM GENRE {}", quoted(value))),
            "year" => line(format!("REM DATE {value}")),
            _ => {}
        }
    }
    line("REM COMMENT \"mixc\"".into());
    if let Some(artist) = &album.artist {
        line(format!("PERFORMER {}", quoted(artist)));
    }
    line(format!("TITLE {}", quoted(&album.title)));
    // `WAVE` is the type CUE readers expect for any PCM file, FLAC included.
    let kind = if file.to_ascii_lowercase().ends_with(".mp3") { "MP3" } else { "WAVE" };
    line(format!("FILE {} {kind}", quoted(file)));
    for (i, song) in album.songs.iter().enumerate() {
        line(format!("  TRACK {:02} AUDIO", i + 1));
        line(format!("    TITLE {}", quoted(&song.title)));
        if let Some(artist) = song.artist.as_ref().or(album.artist.as_ref()) {
            line(format!("    PERFORMER {}", quoted(artist)));
        }
        if let Some(isrc) = &song.isrc {
            line(format!("    ISRC {isrc}"));
        }
        if let Some(pregap) = layout.pregaps[i] {
            line(format!("    INDEX 00 {}", time(layout.cd_frame(pregap))));
        }
        line(format!("    INDEX 01 {}", time(layout.cd_frame(layout.starts[i]))));
    }
    out
}

/// `mm:ss:ff` of a count of CD frames.
pub fn time(frames: u64) -> String {
    let (seconds, ff) = (frames / 75, frames % 75);
    format!("{:02}:{:02}:{:02}", seconds / 60, seconds % 60, ff)
}

/// A CUE string: double quotes inside become single ones (the format has no escapes).
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "'").replace(['\r', '\n'], " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_minutes_seconds_and_cd_frames() {
        assert_eq!(time(0), "00:00:00");
        assert_eq!(time(75 * 61 + 74), "01:01:74");
        assert_eq!(time(75 * 60 * 100), "100:00:00");
    }

    #[test]
    fn quotes_cannot_break_a_line() {
        assert_eq!(quoted("say \"hi\"\n"), "\"say 'hi' \"");
    }
}
