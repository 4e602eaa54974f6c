//! `mixc watch --play` through a real audio device: JACK's dummy driver,
//! with a capture client recording what mixc played. An edit saved during
//! playback must be heard at the playhead where mixc says it took over,
//! every frame before it the old render's and every frame after the
//! crossfade the new one's, with nothing skipped, repeated or cut.
//!
//! Needs the `jack` cargo feature (libasound2-dev and libjack-jackd2-dev to
//! build; `.ci/run` installs them) and `jackd` (Debian's jackd2) to run;
//! where either is missing the test says so and passes. The swap itself is
//! also tested against an in-memory sink (`src/play/engine_tests.rs`).

#[cfg(not(feature = "jack"))]
#[test]
fn an_edit_saved_during_playback_is_heard_at_the_playhead_through_jack() {
    println!(
        "skipped the JACK device test: this build has no JACK playback \
         (`cargo test --features jack`, which needs libasound2-dev and libjack-jackd2-dev; `.ci/run` does that)"
    );
}

#[cfg(feature = "jack")]
mod with_jack {
    use std::path::Path;
    use std::time::{Duration, Instant};

    use crate::common::*;
    use crate::jack_capture::{Capture, Server, PERIOD, RATE};
    use crate::running::{save_by_rename, Running};

    /// The crossfade, in frames at the device rate.
    fn fade() -> usize {
        (mixc::play::fade::FADE_SECONDS * RATE as f64).round() as usize
    }

    /// A JACK server, a capture client on it and `mixc watch FILE --play` playing into it.
    struct Rig {
        capture: Capture,
        mixc: Running,
        // Dropped last: the clients go first.
        _server: Server,
    }

    impl Rig {
        /// `None` (with the reason printed) where no JACK server can be started here.
        fn start(dir: &Path, file: &str, extra: &[&str], tag: &str) -> Option<Rig> {
            let mut server = match Server::start(tag, &dir.join("jackd.log")) {
                Ok(s) => s,
                Err(e) => {
                    println!("skipped the JACK device test: {e}");
                    return None;
                }
            };
            let capture = match Capture::open(&mut server) {
                Ok(c) => c,
                Err(e) => {
                    let log = std::fs::read_to_string(dir.join("jackd.log")).unwrap_or_default();
                    println!("skipped the JACK device test: the dummy-driver server did not start: {e}\n{log}");
                    return None;
                }
            };
            let mut args = vec!["watch", file, "--play", "--device", "jack"];
            args.extend_from_slice(extra);
            let env = [("JACK_DEFAULT_SERVER", server.name.as_str()), ("JACK_NO_START_SERVER", "1")];
            let mut mixc = Running::start(dir, &args, &env);
            mixc.expect(&["playing through jack:"]);
            capture.connect("cpal_client").expect("connect mixc's outputs to the capture client");
            Some(Rig { capture, mixc, _server: server })
        }

        /// Records for `wait` (mixc keeps playing meanwhile).
        fn record(&mut self, wait: Duration) {
            let end = Instant::now() + wait;
            while Instant::now() < end {
                std::thread::sleep(Duration::from_millis(50));
                self.capture.drain();
            }
        }
    }

    /// The frame mixc reports a version took over at: `v2 (A) playing from 0:02.1 (frame 100800 at 48000 Hz)`.
    fn switched_at(line: &str) -> u64 {
        let after = line.split("(frame ").nth(1).unwrap_or_else(|| panic!("no frame in `{line}`"));
        after.split(' ').next().unwrap().parse().unwrap()
    }

    /// The offset `off` such that recorded frame `k` is song frame `k + off`:
    /// the 64 frames recorded from `k` are found in `reference`.
    fn align(recorded: &[f32], reference: &[f32], k: usize) -> Option<i64> {
        let window = recorded.get(k..k + 64)?;
        let found: Vec<usize> = (0..reference.len().saturating_sub(64))
            .filter(|&p| window.iter().zip(&reference[p..]).all(|(a, b)| (a - b).abs() <= 1e-6))
            .collect();
        match found[..] {
            [p] => Some(p as i64 - k as i64),
            _ => None,
        }
    }

    /// 8 s of a rising chirp (200 Hz to 2 kHz, on the 24-bit grid): no
    /// stretch of it repeats, so any 64 frames say where in the song they are.
    fn chirp(frames: usize) -> Vec<f32> {
        let t_end = frames as f64 / RATE as f64;
        (0..frames)
            .map(|i| {
                let t = i as f64 / RATE as f64;
                let phase = 2.0 * std::f64::consts::PI * (200.0 * t + 1800.0 * t * t / (2.0 * t_end));
                ((0.3 * phase.sin() * 8_388_608.0).round() / 8_388_608.0) as f32
            })
            .collect()
    }

    const SONG: &str = "rate = 48kHz\ntrack chirp { source = \"chirp.wav\" }\nmaster { gain = -6dB }\nexport \"out/song.wav\" { bits = 32f }\n";

    #[test]
    fn an_edit_saved_during_playback_is_heard_at_the_playhead_through_jack() {
        let p = Project::new();
        let left = chirp(8 * RATE as usize);
        let right: Vec<f32> = left.iter().map(|x| -0.5 * x).collect();
        p.wav_int("chirp.wav", RATE, 24, &[left, right]);
        let song = p.file("song.mix", SONG);
        let Some(mut rig) = Rig::start(p.dir.path(), "song.mix", &[], "swap") else { return };
        rig.mixc.expect(&["re-rendered 2 of 2 nodes"]);
        let (_, before) = read_wav_f32(&p.path("out/song.wav"));
        rig.record(Duration::from_millis(1500));

        // A master-only change, saved the way editors save.
        let saved = Instant::now();
        save_by_rename(&song, &SONG.replace("-6dB", "-2dB"));
        // The swap and the render's report, in either order.
        let lines = rig.mixc.expect_each(&["v2 (A) playing from", "re-rendered 1 of 2 nodes (master)"]);
        let n = switched_at(&lines[0].1);
        let (_, after) = read_wav_f32(&p.path("out/song.wav"));
        rig.record(Duration::from_millis(1000));
        let frames = rig.capture.frames();
        let status = rig.mixc.interrupt();
        assert!(status.success(), "mixc stopped with {status}");

        // Where the recording is in the song (past the ramp-in of the start).
        let (l, r) = (rig.capture.left(), rig.capture.right());
        let k0 = l.iter().position(|x| *x != 0.0).expect("mixc was heard") + 2 * fade();
        let off = align(&l, &before[0], k0).expect("the recording matches the first render");
        let fade = fade() as u64;
        let song_frame = |k: usize| (k as i64 + off) as u64;
        assert!(song_frame(frames as usize - 1) > n + fade + RATE as u64 / 2, "recorded past the swap");
        let mut checked = [0usize; 3];
        for k in k0..frames as usize {
            let s = song_frame(k) as usize;
            for (ch, recorded) in [(0, &l), (1, &r)] {
                let (old, new, heard) = (before[ch][s], after[ch][s], recorded[k]);
                let region = if (s as u64) < n {
                    assert!((heard - old).abs() <= 1e-6, "frame {s} ch {ch}: {heard} is not the first render's {old}");
                    0
                } else if (s as u64) < n + fade {
                    // Mid-fade: between the two renders, never outside them.
                    let (lo, hi) = (old.min(new) - 1e-6, old.max(new) + 1e-6);
                    assert!((lo..=hi).contains(&heard), "frame {s} ch {ch}: {heard} outside {old}..{new} mid-fade");
                    1
                } else {
                    assert!((heard - new).abs() <= 1e-6, "frame {s} ch {ch}: {heard} is not the edit's {new}");
                    2
                };
                checked[region] += 1;
            }
        }
        assert!(checked.iter().all(|c| *c > 0), "frames before, in and after the fade: {checked:?}");
        assert_eq!(checked[1], 2 * fade as usize, "the change takes exactly the crossfade");
        // Through the fade the new render's share rises smoothly from 0 to 1:
        // no step in it is steeper than a 20 ms raised cosine's (π/2 per fade
        // length at its steepest), so no cut hides inside it.
        let k_n = (n as i64 - off) as usize;
        let share: Vec<(usize, f64)> = (0..fade as usize)
            .filter_map(|i| {
                let (old, new) = (before[0][n as usize + i] as f64, after[0][n as usize + i] as f64);
                ((new - old).abs() > 0.01).then(|| (i, (l[k_n + i] as f64 - old) / (new - old)))
            })
            .collect();
        let first = share.iter().find(|(i, _)| *i >= fade as usize / 20).unwrap();
        let last = share.iter().rev().find(|(i, _)| *i < fade as usize * 19 / 20).unwrap();
        assert!(first.1 < 0.05 && last.1 > 0.95, "share at the fade's ends: {first:?} {last:?}");
        for w in share.windows(2) {
            let ((i, a), (j, b)) = (w[0], w[1]);
            let steepest = 1.6 / fade as f64 * (j - i) as f64 + 1e-3;
            assert!(b >= a - 1e-3 && b - a <= steepest, "the share jumps from {a} to {b} at fade frames {i}..{j}");
        }

        // The swap came after the save, and soon: at the playhead of that moment plus the render.
        let at_save = song_frame(rig.capture.frame_at(saved).expect("recording at the save") as usize);
        assert!(n >= at_save, "swapped at {n}, before the save at {at_save}");
        let heard = rig.capture.arrival((n as i64 - off) as u64).expect("the swap was recorded");
        let latency = heard.duration_since(saved);
        println!(
            "save to hear (test song, master change): {} ms, then the device's {PERIOD}-frame periods",
            latency.as_millis()
        );
        assert!(latency < Duration::from_secs(5), "{latency:?}");
    }

    /// The README's save-to-hear figure: the demo song, its master gain
    /// changed five times while it plays. Run on a quiet machine:
    /// `cargo test --features jack --test it save_to_hear -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement: run by hand on a quiet machine"]
    fn save_to_hear_on_the_demo() {
        let p = Project::new();
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
        for entry in std::fs::read_dir(demo.join("stems")).expect("the demo's stems") {
            let entry = entry.unwrap();
            std::fs::create_dir_all(p.path("stems")).unwrap();
            std::fs::copy(entry.path(), p.path("stems").join(entry.file_name())).unwrap();
        }
        let text = std::fs::read_to_string(demo.join("demo.mix")).unwrap();
        let song = p.file("demo.mix", &text);
        let Some(mut rig) = Rig::start(p.dir.path(), "demo.mix", &["--from", "0:10"], "demo") else { return };
        rig.mixc.expect(&["re-rendered 9 of 9 nodes"]);
        let (_, first) = read_wav_f32(&p.path("out/demo.wav"));
        rig.record(Duration::from_millis(1000));
        let mut times = Vec::new();
        for (i, gain) in ["+5dB", "+6dB", "+5dB", "+6dB", "+5dB"].iter().enumerate() {
            let saved = Instant::now();
            save_by_rename(&song, &text.replace("gain  = +6dB", &format!("gain  = {gain}")));
            let swap = format!("v{} (A) playing from", i + 2);
            let lines = rig.mixc.expect_each(&[&swap, "re-rendered 1 of 9 nodes (master)"]);
            let (rendered, n) = (lines[0].0, switched_at(&lines[0].1));
            // Listening a moment before the next edit, as one does.
            rig.record(Duration::from_millis(1500));
            let l = rig.capture.left();
            let k0 = l.iter().position(|x| *x != 0.0).expect("heard") + 2 * fade();
            let off = align(&l, &first[0], k0).expect("aligned with the first render");
            let heard = rig.capture.arrival((n as i64 - off) as u64).expect("the swap was recorded");
            let ms = heard.duration_since(saved).as_secs_f64() * 1000.0;
            println!(
                "edit {}: master gain {gain}: heard {ms:.0} ms after the save (mixc reported the swap after {:.0} ms)",
                i + 1,
                rendered.duration_since(saved).as_secs_f64() * 1000.0
            );
            times.push(ms);
        }
        let _ = rig.mixc.interrupt();
        times.sort_by(f64::total_cmp);
        println!("save to hear on the demo: median {:.0} ms, best {:.0}, worst {:.0}", times[2], times[0], times[4]);
    }
}
