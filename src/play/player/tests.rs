//! The transport driven by key actions, heard through an in-memory sink.

use super::*;
use crate::play::engine::{channel_with, Engine};
use crate::play::fade::Curve;

const RATE: u32 = 1000;
const FADE: usize = 10;

fn constant(id: u32, value: f32, seconds: usize) -> Arc<Version> {
    let n = seconds * RATE as usize;
    Arc::new(Version::from_planar(id, RATE, vec![value; n], vec![value; n]))
}

/// A ramp whose sample is its own frame number (× 1e-6).
fn ramp(id: u32, seconds: usize) -> Arc<Version> {
    let v: Vec<f32> = (0..seconds * RATE as usize).map(|i| i as f32 * 1e-6).collect();
    Arc::new(Version::from_planar(id, RATE, v.clone(), v))
}

fn player(cue: Cue) -> (Engine, Player) {
    let (engine, remote) = channel_with(RATE, Curve::with_frames(FADE));
    (engine, Player::new(remote, cue))
}

fn pull(engine: &mut Engine, frames: usize) -> Vec<f32> {
    let mut out = vec![0.0; frames * 2];
    engine.process(&mut out, 2);
    out.chunks(2).map(|f| f[0]).collect()
}

fn timing() -> Timing {
    Timing { tempo: Some(120.0), meter: (4, 4) }
}

#[test]
fn the_first_render_starts_at_from_inside_the_loop() {
    let cue = Cue {
        from: Some(Position::Seconds(3.0)),
        looping: Some((
            Position::BarBeat { bar: 2.0, beat: 1.0 },
            Position::BarBeat { bar: 3.0, beat: 1.0 },
            "2:1..3:1".into(),
        )),
    };
    let (mut e, mut p) = player(cue);
    p.push(ramp(1, 10), timing()).unwrap();
    pull(&mut e, FADE + 1);
    // 120 bpm 4/4: bar 2 is 2 s to 4 s. --from 3 s wins over the loop start.
    let heard = pull(&mut e, 1)[0];
    assert!((heard - (3000 + FADE + 1) as f32 * 1e-6).abs() < 1e-9, "{heard}");
    pull(&mut e, 1500);
    let at = p.seconds();
    assert!((2.0..4.0).contains(&at), "looped back inside 2..4 s: {at}");
    assert!(p.loop_on);
}

#[test]
fn a_loop_or_a_start_past_the_song_is_refused() {
    let cue =
        Cue { from: None, looping: Some((Position::Seconds(20.0), Position::Seconds(30.0), "0:20..0:30".into())) };
    let (_e, mut p) = player(cue);
    assert!(p.push(ramp(1, 10), timing()).unwrap_err().contains("before the song does"));
    let (_e, mut p) = player(Cue { from: Some(Position::BarBeat { bar: 99.0, beat: 1.0 }), looping: None });
    let e = p.push(ramp(1, 10), timing()).unwrap_err();
    assert_eq!(e, "`--from` is at 3:16.0, past the end of the song (0:10.0)");
}

#[test]
fn space_pauses_and_resumes_arrows_seek_five_seconds_home_restarts() {
    let (mut e, mut p) = player(Cue::default());
    p.push(ramp(1, 30), timing()).unwrap();
    pull(&mut e, 1000);
    p.act(Action::Seek(5.0));
    pull(&mut e, FADE);
    assert_eq!(p.remote.position(), 6000 + FADE as u64);
    p.act(Action::Seek(-10.0));
    pull(&mut e, FADE);
    assert_eq!(p.remote.position(), FADE as u64, "clamped at the start");
    p.act(Action::TogglePause);
    pull(&mut e, 2 * FADE);
    let held = p.remote.position();
    assert!(!p.remote.playing());
    pull(&mut e, 500);
    assert_eq!(p.remote.position(), held);
    p.act(Action::TogglePause);
    pull(&mut e, 100);
    assert_eq!(p.remote.position(), held + 100);
    p.act(Action::Restart);
    pull(&mut e, FADE);
    assert_eq!(p.remote.position(), FADE as u64);
}

#[test]
fn a_b_switches_between_the_latest_and_the_previous_render_level_matched_on_request() {
    let (mut e, mut p) = player(Cue::default());
    p.push(constant(1, 0.1, 10), timing()).unwrap();
    pull(&mut e, 100);
    assert!(p.act(Action::Select(Side::B)).unwrap().contains("no previous render"));
    p.push(constant(2, 0.4, 10), timing()).unwrap();
    pull(&mut e, FADE + 1);
    assert_eq!(pull(&mut e, 1)[0], 0.4, "a new render plays as A");
    p.act(Action::Select(Side::B));
    pull(&mut e, FADE + 1);
    assert_eq!(pull(&mut e, 1)[0], 0.1);
    // Loudness 12.04 dB apart (0.4 vs 0.1): matched, the louder A comes down to B.
    p.loudness(1, Some(-20.0));
    p.loudness(2, Some(-20.0 + 20.0 * 4f64.log10()));
    let said = p.act(Action::ToggleMatch).unwrap();
    assert!(said.contains("A -12.0 dB, B +0.0 dB"), "{said}");
    p.act(Action::Select(Side::A));
    pull(&mut e, 3 * FADE);
    let a = pull(&mut e, 1)[0];
    assert!((a - 0.1).abs() < 1e-6, "A matched to B's level: {a}");
    p.act(Action::ToggleMatch);
    pull(&mut e, 3 * FADE);
    assert!((pull(&mut e, 1)[0] - 0.4).abs() < 1e-6);
}

#[test]
fn l_loops_the_whole_song_when_no_loop_was_given_and_stops_looping_on_the_next_press() {
    let (mut e, mut p) = player(Cue::default());
    p.push(ramp(1, 2), timing()).unwrap();
    p.act(Action::ToggleLoop);
    pull(&mut e, 3000);
    assert!(p.remote.playing(), "still playing after the end: looped");
    p.act(Action::ToggleLoop);
    pull(&mut e, 2500);
    assert!(!p.remote.playing(), "stopped at the end");
    assert!(p.remote.shared.ended.load(Ordering::Acquire));
    p.act(Action::TogglePause);
    pull(&mut e, FADE + 5);
    assert!(p.remote.playing() && p.remote.position() < 100, "space at the end plays from the start");
}

#[test]
fn arrow_presses_faster_than_the_device_pulls_add_up() {
    let (mut e, mut p) = player(Cue::default());
    p.push(ramp(1, 30), timing()).unwrap();
    pull(&mut e, 1000);
    // Three presses before the engine runs again: 1 s + 3 × 5 s. Each seek
    // waits for the fade of the one before; the last lands on 16 s.
    for _ in 0..3 {
        p.act(Action::Seek(5.0));
    }
    pull(&mut e, 3 * FADE);
    assert_eq!(p.remote.position(), 16_000 + FADE as u64);
    // Back twice from there: 6 s (plus the frames played since).
    p.act(Action::Seek(-5.0));
    p.act(Action::Seek(-5.0));
    pull(&mut e, 2 * FADE);
    assert_eq!(p.remote.position(), 6000 + 2 * FADE as u64);
}
