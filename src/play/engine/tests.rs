//! The engine against an in-memory sink: buffers pulled by hand, commands
//! sent between them, every output frame compared with what must be heard.

use super::*;

const RATE: u32 = 1000;
const FADE: usize = 16;

/// A version whose sample at frame `i` says which version and frame it is:
/// `tag + i / 1e6` on the left, its negation on the right.
fn tagged(id: u32, tag: f32, frames: usize) -> Arc<Version> {
    let left: Vec<f32> = (0..frames).map(|i| tag + i as f32 * 1e-6).collect();
    let right = left.iter().map(|x| -x).collect();
    Arc::new(Version::from_planar(id, RATE, left, right))
}

fn engine() -> (Engine, Remote) {
    channel_with(RATE, Curve::with_frames(FADE))
}

/// Pulls `frames` stereo frames; returns the left channel.
fn pull(engine: &mut Engine, frames: usize) -> Vec<f32> {
    let mut out = vec![0.0; frames * 2];
    engine.process(&mut out, 2);
    out.chunks(2).map(|f| f[0]).collect()
}

fn started(version: &Arc<Version>) -> (Engine, Remote) {
    let (mut e, mut r) = engine();
    r.send(Command::Switch { version: Arc::clone(version), gain: 1.0 }).unwrap();
    r.send(Command::Play).unwrap();
    // The transport ramps in over one fade length.
    let ramp = pull(&mut e, FADE);
    assert_eq!(ramp[0], 0.0);
    assert!(ramp.windows(2).all(|w| w[1] > w[0]));
    (e, r)
}

#[test]
fn a_switch_keeps_the_playhead_and_crossfades_over_exactly_the_fade() {
    let a = tagged(1, 0.25, 1000);
    let b = tagged(2, 0.5, 1000);
    let (mut e, mut r) = started(&a);
    let before = pull(&mut e, 100);
    for (k, x) in before.iter().enumerate() {
        assert_eq!(*x, a.frame((FADE + k) as u64).0, "version A, frame {}", FADE + k);
    }
    let at = (FADE + 100) as u64;
    r.send(Command::Switch { version: Arc::clone(&b), gain: 1.0 }).unwrap();
    let after = pull(&mut e, 200);
    let curve = Curve::with_frames(FADE);
    for (k, x) in after.iter().enumerate() {
        let p = at + k as u64;
        let w = curve.gain(k);
        let expected = if k < FADE { a.frame(p).0 * (1.0 - w) + b.frame(p).0 * w } else { b.frame(p).0 };
        assert!((x - expected).abs() < 1e-6, "frame {p}: {x} vs {expected}");
    }
    assert_eq!(r.shared.switched_at.load(Ordering::Acquire), at);
    assert_eq!(r.shared.version.load(Ordering::Acquire), 2);
    assert_eq!(r.position(), at + 200);
}

#[test]
fn the_largest_step_through_a_swap_is_no_larger_than_the_signal_and_the_fade_make_it() {
    // Two sines of different level and phase: a hard cut would jump by up
    // to their full difference; the fade spreads it over FADE frames.
    let sine = |amp: f32, phase: f32| -> Vec<f32> {
        (0..2000).map(|i| amp * (i as f32 * 0.05 + phase).sin()).collect::<Vec<_>>()
    };
    let a = Arc::new(Version::from_planar(1, RATE, sine(0.9, 0.0), sine(0.9, 0.0)));
    let b = Arc::new(Version::from_planar(2, RATE, sine(0.2, 2.0), sine(0.2, 2.0)));
    let (mut e, mut r) = started(&a);
    let mut heard = pull(&mut e, 300);
    r.send(Command::Switch { version: b, gain: 1.0 }).unwrap();
    heard.extend(pull(&mut e, 300));
    let largest = heard.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max);
    // The sines alone move by at most amp·0.05 a frame; the fade adds at most
    // |a − b| · (largest curve step).
    let curve = Curve::with_frames(FADE);
    let step = (1..FADE).map(|i| curve.gain(i) - curve.gain(i - 1)).fold(0.0, f32::max);
    assert!(largest <= 0.9 * 0.05 + 1.1 * step + 1e-4, "step {largest}");
    // A cut would have jumped by far more than that.
    assert!(1.1 * step + 0.9 * 0.05 < 0.5);
}

#[test]
fn pause_ramps_down_and_holds_the_playhead_resume_continues_from_it() {
    let a = tagged(1, 0.25, 1000);
    let (mut e, mut r) = started(&a);
    pull(&mut e, 50);
    r.send(Command::Pause).unwrap();
    let down = pull(&mut e, FADE + 10);
    assert!(down[..FADE].windows(2).all(|w| w[1] < w[0]), "ramps down");
    assert!(down[FADE..].iter().all(|x| *x == 0.0), "silent once paused");
    let held = r.position();
    assert_eq!(held, (FADE + 50 + FADE) as u64);
    assert!(!r.playing());
    pull(&mut e, 500);
    assert_eq!(r.position(), held, "the playhead does not move while paused");
    r.send(Command::Play).unwrap();
    pull(&mut e, FADE);
    let resumed = pull(&mut e, 10);
    assert_eq!(resumed[0], a.frame(held + FADE as u64).0);
}

#[test]
fn a_seek_lands_on_the_frame_asked_for_after_a_crossfade_from_the_old_place() {
    let a = tagged(1, 0.25, 1000);
    let (mut e, mut r) = started(&a);
    pull(&mut e, 10);
    r.send(Command::Seek(700)).unwrap();
    let heard = pull(&mut e, FADE + 20);
    for (k, x) in heard[FADE..].iter().enumerate() {
        assert_eq!(*x, a.frame(700 + (FADE + k) as u64).0);
    }
    // During the fade both places are heard: the sum of the two gains is one.
    let mid = FADE / 2;
    let curve = Curve::with_frames(FADE);
    let w = curve.gain(mid);
    let expected = a.frame((FADE + 10 + mid) as u64).0 * (1.0 - w) + a.frame(700 + mid as u64).0 * w;
    assert!((heard[mid] - expected).abs() < 1e-6);
}

#[test]
fn a_loop_wraps_from_its_end_to_its_start_and_keeps_going() {
    let a = tagged(1, 0.25, 1000);
    let (mut e, mut r) = started(&a);
    r.send(Command::Loop(Some((100, 200)))).unwrap();
    r.send(Command::Seek(150)).unwrap();
    pull(&mut e, FADE);
    // At 150 + FADE; 200 − (150 + FADE) frames to the loop end, then back to 100.
    let to_end = 200 - (150 + FADE);
    let heard = pull(&mut e, to_end + FADE + 5);
    assert_eq!(heard[to_end + FADE], a.frame(100 + FADE as u64).0);
    for _ in 0..5 {
        pull(&mut e, 100);
        let p = r.position();
        assert!((100..200).contains(&p), "inside the loop: {p}");
    }
}

#[test]
fn playback_stops_at_the_end_of_the_song_and_says_so() {
    let a = tagged(1, 0.25, 100);
    let (mut e, r) = started(&a);
    let heard = pull(&mut e, 200);
    assert!(heard[100 - FADE..].iter().all(|x| *x == 0.0));
    assert_eq!(r.position(), 100);
    assert!(r.shared.ended.load(Ordering::Acquire));
    assert!(!r.playing());
}

#[test]
fn commands_sent_during_a_fade_wait_for_it_and_are_all_applied_in_order() {
    let a = tagged(1, 0.25, 1000);
    let b = tagged(2, 0.5, 1000);
    let c = tagged(3, 0.75, 1000);
    let (mut e, mut r) = started(&a);
    r.send(Command::Switch { version: Arc::clone(&b), gain: 1.0 }).unwrap();
    r.send(Command::Switch { version: Arc::clone(&c), gain: 0.5 }).unwrap();
    let heard = pull(&mut e, 3 * FADE);
    let p = (FADE + 3 * FADE - 1) as u64;
    assert!((heard[3 * FADE - 1] - 0.5 * c.frame(p).0).abs() < 1e-6);
    assert_eq!(r.shared.switches.load(Ordering::Acquire), 3);
}

#[test]
fn versions_let_go_of_come_back_to_the_control_thread_to_be_freed() {
    let a = tagged(1, 0.25, 1000);
    let b = tagged(2, 0.5, 1000);
    let weak_a = Arc::downgrade(&a);
    let (mut e, mut r) = started(&a);
    drop(a);
    r.send(Command::Switch { version: b, gain: 1.0 }).unwrap();
    pull(&mut e, 2 * FADE);
    // The engine no longer holds A, but did not free it: the ring does.
    assert_eq!(weak_a.strong_count(), 1);
    r.collect();
    assert_eq!(weak_a.strong_count(), 0);
}

#[test]
fn mono_and_multichannel_devices_get_the_stereo_signal_on_their_first_channels() {
    let a = tagged(1, 0.25, 1000);
    let (mut e, _r) = started(&a);
    let mut mono = vec![1.0; 4];
    e.process(&mut mono, 1);
    assert!(mono.iter().all(|x| x.abs() < 1e-7), "left + right of a tagged version cancel");
    let mut quad = vec![1.0; 8];
    e.process(&mut quad, 4);
    let p = (FADE + 4) as u64;
    assert_eq!(&quad[..4], &[a.frame(p).0, a.frame(p).1, 0.0, 0.0]);
}

#[test]
fn what_was_played_reaches_the_meter_ring() {
    let a = tagged(1, 0.25, 1000);
    let (mut e, mut r) = started(&a);
    let mut played = Vec::new();
    r.drain_played(&mut played);
    assert_eq!(played.len(), 2 * FADE);
    let heard = pull(&mut e, 10);
    played.clear();
    r.drain_played(&mut played);
    let left: Vec<f32> = played.chunks(2).map(|f| f[0]).collect();
    assert_eq!(left, heard);
}
