//! Automation against its definition: exact at breakpoints, monotone ramps,
//! bar:beat positions on the right sample, block-length invariance.

use crate::common::*;

const RATE: u32 = 48_000;

fn constant(frames: usize, value: f32) -> Vec<f32> {
    vec![value; frames]
}

fn render(p: &Project, mix: &str, extra: &[&str]) -> Vec<Vec<f32>> {
    p.file("song.mix", mix);
    p.render_ok("song.mix", extra);
    read_wav_f32(&p.path("out.wav")).1
}

#[test]
fn gain_ramp_from_silence_is_monotone_and_exact_at_breakpoints() {
    let p = Project::new();
    let x = constant(72_000, 0.5);
    p.wav_int("x.wav", RATE, 24, &[x.clone(), x]);
    let out = render(
        &p,
        "track a { source = \"x.wav\" }\nautomate a.gain {\n    0s   -inf dB\n    1s   0dB\n}\nexport \"out.wav\" { bits = 32f }\n",
        &[],
    );
    let l = &out[0];
    assert_eq!(l[0], 0.0, "-inf dB at the first breakpoint is silence");
    assert_eq!(l[48_000], 0.5, "0 dB exactly at 1 s");
    assert_eq!(l[60_000], 0.5, "the last value holds after the last breakpoint");
    let mut max_step = 0f32;
    for w in l[..48_001].windows(2) {
        assert!(w[1] >= w[0], "ramp not monotone");
        max_step = max_step.max(w[1] - w[0]);
    }
    // Linear in dB over 120 dB and 48000 frames: the steepest step, at full
    // level, is 0.5 · ln(10)/20 · 120/48000 ≈ 1.44e-4.
    assert!(max_step < 2e-4, "largest step {max_step}");
}

#[test]
fn bar_beat_breakpoints_land_on_the_right_sample() {
    let p = Project::new();
    let x = constant(150_000, 0.25);
    p.wav_int("x.wav", RATE, 24, &[x.clone(), x]);
    // 120 bpm, 4/4: bar 2 beat 1 is 2 s = frame 96000. `hold` keeps -inf until then.
    let mix = "tempo = 120bpm\ntrack a { source = \"x.wav\" }\nautomate a.gain {\n    1:1  -inf dB\n    2:1  0dB  hold\n}\nexport \"out.wav\" { bits = 32f }\n";
    let out = render(&p, mix, &[]);
    assert!(out[0][..96_000 - 64].iter().all(|&s| s == 0.0));
    assert_eq!(out[0][96_000], 0.25);
    assert!(out[0][96_000 - 32] > 0.0 && out[0][96_000 - 32] < 0.25, "the jump is spread over a few samples");
}

#[test]
fn automation_is_independent_of_block_length() {
    let p = Project::new();
    let a = noise(60_000, 31, 0.4, 24);
    p.wav_int("x.wav", RATE, 24, &[a.clone(), a]);
    let mix = "track a {\n    source = \"x.wav\"\n    chain = eq: peak(1kHz, 0dB, q: 2) -> lp: lowpass(8kHz)\n}\nautomate a.eq.gain {\n    0s  0dB\n    1s  +9dB  smooth\n}\nautomate a.lp.freq {\n    0s  8kHz\n    1.2s  500Hz\n}\nautomate a.pan {\n    0s  0%\n    1s  -60%\n}\nexport \"out.wav\" { bits = 32f }\n";
    let default = render(&p, mix, &[]);
    let odd = render(&p, mix, &["--block", "17"]);
    assert!(default == odd, "block length changed automated output");
    assert!(rms(&default[0][40_000..48_000]) > 1.2 * rms(&default[1][40_000..48_000]), "pan moved left");
}

#[test]
fn automation_errors_point_at_the_target() {
    let p = Project::new();
    let x = constant(1_000, 0.25);
    p.wav_int("x.wav", RATE, 24, &[x.clone(), x]);
    p.file("song.mix", "track a { source = \"x.wav\", chain = eq: peak(1kHz, 0dB) }\nautomate a.eq.gian {\n    0s 0dB\n}\nautomate b.gain {\n    0s 0dB\n}\nexport \"out.wav\"\n");
    let out = p.mixc(&["check", "song.mix"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("`peak` has no parameter `gian`") && err.contains("did you mean `gain`"), "{err}");
    assert!(err.contains("unknown track or bus `b`"), "{err}");
}
