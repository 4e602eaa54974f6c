//! Synthesises the bundled demo song's stems into `examples/demo/stems/` as small 16-bit FLACs.
//!
//! Run with `cargo run --release --example make_demo_stems`. The song is a 16-bar
//! "night drive" groove in A minor at 96 bpm (Am7 – Fmaj7 – Cmaj7 – G6, one chord a
//! bar): intro (pad + hats), groove (drums + bass), lead, a two-bar break, out, and a
//! final downbeat that rings out.
//!
//! Everything is deterministic — fixed seeds, an inline xorshift PRNG, no clock, one
//! encoder thread — so re-running rewrites byte-identical files. The stems are 44.1 kHz
//! on purpose: the demo session renders at 48 kHz, so every source exercises the
//! resampler. Every stem starts at time zero (the demo uses no `start =`), and silent
//! stretches are exact zeros, which FLAC stores almost for free.

use std::error::Error;
use std::f64::consts::{PI, TAU};
use std::path::Path;

use flacenc::component::BitRepr;
use flacenc::error::Verify;

/// Stem sample rate; deliberately not the session's 48 kHz.
const SR: f64 = 44_100.0;
const BPM: f64 = 96.0;
const BEAT: f64 = 60.0 / BPM;
const BAR: f64 = 4.0 * BEAT;
/// Bars of music; the downbeat of the bar after them rings out for `TAIL` seconds.
const BARS: usize = 16;
const TAIL: f64 = 3.0;
/// Every stem is normalised to this sample peak, so balance lives in `demo.mix`.
const PEAK_DBFS: f64 = -6.0;

/// One chord a bar, voiced close around middle C so the pad leaves room for the lead.
const CHORDS: [[f64; 4]; 4] = [
    [57.0, 60.0, 64.0, 67.0], // Am7
    [53.0, 57.0, 60.0, 64.0], // Fmaj7
    [55.0, 59.0, 60.0, 64.0], // Cmaj7
    [55.0, 59.0, 62.0, 67.0], // G6
];
/// Bass roots an octave or two below the chords (A1, F1, C2, G1).
const ROOTS: [f64; 4] = [33.0, 29.0, 36.0, 31.0];

/// The lead line, one bar a row (0-based): `midi:beats` from the downbeat, `r` rests.
const MELODY: [(usize, &str); 9] = [
    (8, "76:1.5 74:0.5 72:1 74:0.5 76:0.5"),
    (9, "69:2.5 r:0.5 72:0.5 74:0.5"),
    (10, "76:1 79:1 76:1 74:1"),
    (11, "74:1.5 71:0.5 67:2"),
    (12, "81:2 79:1 76:1"),
    (13, "77:1 76:1 72:2"),
    (14, "76:1.5 74:0.5 72:1 71:1"),
    (15, "74:2 71:1 72:1"),
    (16, "69:2"),
];

/// A stem: one `Vec` per channel, all `song_frames()` long.
type Stem = Vec<Vec<f64>>;

/// A stem's synthesiser.
type Render = fn() -> Stem;

/// Where a bar sits in the arrangement.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Section {
    Intro,
    Groove,
    Lead,
    Break,
    Out,
    End,
}

fn section(bar: usize) -> Section {
    match bar {
        0..=3 => Section::Intro,
        4..=7 => Section::Groove,
        8..=11 => Section::Lead,
        12..=13 => Section::Break,
        14..=15 => Section::Out,
        _ => Section::End,
    }
}

fn drums_play(bar: usize) -> bool {
    matches!(section(bar), Section::Groove | Section::Lead | Section::Out)
}

/// Seconds from the top of the song to `beat` (0-based, fractional) of `bar`.
fn at(bar: usize, beat: f64) -> f64 {
    bar as f64 * BAR + beat * BEAT
}

fn idx(seconds: f64) -> usize {
    (seconds * SR).round() as usize
}

fn song_frames() -> usize {
    idx(BARS as f64 * BAR + TAIL)
}

fn midi_hz(note: f64) -> f64 {
    440.0 * 2f64.powf((note - 69.0) / 12.0)
}

/// xorshift64*: tiny, seedable, and identical on every run (no `rand`, no clock).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // A zero state would stay zero forever.
        Self(seed.max(1))
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1), from the top 53 bits (the mantissa's worth).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn bipolar(&mut self) -> f64 {
        2.0 * self.unit() - 1.0
    }
}

/// The three outputs of one state-variable filter step.
struct SvfOut {
    lp: f64,
    bp: f64,
    hp: f64,
}

/// Trapezoidal state-variable filter (Simper). Chosen over a biquad because it stays
/// stable and click-free when the cutoff moves every sample, as filter envelopes do.
#[derive(Default)]
struct Svf {
    ic1: f64,
    ic2: f64,
}

impl Svf {
    fn tick(&mut self, x: f64, cutoff: f64, q: f64) -> SvfOut {
        let g = (PI * cutoff.min(0.45 * SR) / SR).tan();
        let k = 1.0 / q;
        let a1 = 1.0 / (1.0 + g * (g + k));
        let a2 = g * a1;
        let a3 = g * a2;
        let v3 = x - self.ic2;
        let v1 = a1 * self.ic1 + a2 * v3;
        let v2 = self.ic2 + a2 * self.ic1 + a3 * v3;
        self.ic1 = 2.0 * v1 - self.ic1;
        self.ic2 = 2.0 * v2 - self.ic2;
        SvfOut { lp: v2, bp: v1, hp: x - k * v1 - v2 }
    }
}

/// Polynomial band-limited step correction for a sawtooth's reset.
fn poly_blep(t: f64, dt: f64) -> f64 {
    if t < dt {
        let x = t / dt;
        2.0 * x - x * x - 1.0
    } else if t > 1.0 - dt {
        let x = (t - 1.0) / dt;
        x * x + 2.0 * x + 1.0
    } else {
        0.0
    }
}

/// PolyBLEP sawtooth. A naive saw aliases audibly at pad pitches, and the aliases,
/// being unpredictable, would also bloat the FLAC files.
struct Saw {
    phase: f64,
}

impl Saw {
    fn tick(&mut self, freq: f64) -> f64 {
        let dt = freq / SR;
        let y = 2.0 * self.phase - 1.0 - poly_blep(self.phase, dt);
        self.phase += dt;
        if self.phase >= 1.0 {
            self.phase -= 1.0;
        }
        y
    }
}

/// Linear attack, exponential decay to sustain, exponential release.
#[derive(Clone, Copy)]
struct Adsr {
    a: f64,
    d: f64,
    s: f64,
    r: f64,
}

impl Adsr {
    const fn new(a: f64, d: f64, s: f64, r: f64) -> Self {
        Self { a, d, s, r }
    }

    /// Level `t` seconds after note-on for a note held `gate` seconds.
    fn level(&self, t: f64, gate: f64) -> f64 {
        let held = |t: f64| {
            if t < self.a {
                t / self.a
            } else {
                self.s + (1.0 - self.s) * (-(t - self.a) / self.d).exp()
            }
        };
        if t < gate {
            return held(t);
        }
        // The linear factor lands the exponential exactly on zero at `span`, so the
        // tail ends in true silence instead of a tiny step.
        let x = (t - gate) / (7.0 * self.r);
        held(gate) * (-(t - gate) / self.r).exp() * (1.0 - x).max(0.0)
    }

    /// How long the note sounds, release included (−61 dB and then zero).
    fn span(&self, gate: f64) -> f64 {
        gate + 7.0 * self.r
    }
}

/// The samples of `out` from `t0` for `len` seconds (cut at the end of the song),
/// each with its time since `t0`.
fn window(out: &mut [f64], t0: f64, len: f64) -> impl Iterator<Item = (f64, &mut f64)> {
    let start = idx(t0).min(out.len());
    let frames = idx(len);
    out[start..].iter_mut().take(frames).enumerate().map(|(i, x)| (i as f64 / SR, x))
}

/// A fade-out multiplier over the last `fade` seconds of a `len`-second one-shot.
fn tail_fade(t: f64, len: f64, fade: f64) -> f64 {
    ((len - t) / fade).clamp(0.0, 1.0)
}

/// One kick: a sine swept from ~166 Hz to 46 Hz for the thump, plus a 1.5 ms noise
/// click so it still reads on small speakers; soft-clipped for body.
fn kick_hit(out: &mut [f64], t0: f64, vel: f64, rng: &mut Rng) {
    const LEN: f64 = 0.45;
    let mut phase = 0.0;
    for (t, slot) in window(out, t0, LEN) {
        phase += TAU * (46.0 + 120.0 * (-t / 0.03).exp()) / SR;
        let body = phase.sin() * (-t / 0.17).exp();
        let click = 0.35 * rng.bipolar() * (-t / 0.0015).exp();
        *slot += vel * (1.4 * (body + click)).tanh() * tail_fade(t, LEN, 0.04);
    }
}

/// Kick on 1 and 3, pushing into beat 3 every other bar; one last hit on the end.
fn render_kick() -> Stem {
    let mut out = vec![0.0; song_frames()];
    let mut rng = Rng::new(0x6b69_636b);
    for bar in (0..BARS).filter(|&b| drums_play(b)) {
        let push: &[f64] = if bar % 2 == 1 { &[2.5] } else { &[] };
        for &beat in [0.0, 2.0].iter().chain(push) {
            let vel = if beat == 2.5 { 0.8 } else { 1.0 } - 0.05 * rng.unit();
            kick_hit(&mut out, at(bar, beat), vel, &mut rng);
        }
    }
    kick_hit(&mut out, at(BARS, 0.0), 1.0, &mut rng);
    vec![out]
}

/// One snare: two decaying body partials plus band-passed noise for the wires.
fn snare_hit(out: &mut [f64], t0: f64, vel: f64, rng: &mut Rng) {
    const LEN: f64 = 0.3;
    let mut svf = Svf::default();
    for (t, slot) in window(out, t0, LEN) {
        let tone =
            0.55 * (TAU * 185.0 * t).sin() * (-t / 0.045).exp() + 0.25 * (TAU * 330.0 * t).sin() * (-t / 0.025).exp();
        let f = svf.tick(rng.bipolar(), 3800.0, 0.9);
        let wires = (1.6 * f.bp + 0.5 * f.hp) * (-t / 0.05).exp();
        *slot += vel * (tone + wires) * tail_fade(t, LEN, 0.03);
    }
}

/// Backbeat on 2 and 4, a pickup before the lead enters, and a crescendo of
/// sixteenths at the end of the break to launch the out section.
fn render_snare() -> Stem {
    let mut out = vec![0.0; song_frames()];
    let mut rng = Rng::new(0x736e_6172);
    for bar in (0..BARS).filter(|&b| drums_play(b)) {
        for beat in [1.0, 3.0] {
            snare_hit(&mut out, at(bar, beat), 0.95 + 0.05 * rng.unit(), &mut rng);
        }
        if bar == 7 {
            snare_hit(&mut out, at(bar, 3.5), 0.5, &mut rng);
            snare_hit(&mut out, at(bar, 3.75), 0.7, &mut rng);
        }
    }
    for k in 0..8 {
        let vel = 0.3 + 0.6 * k as f64 / 7.0;
        snare_hit(&mut out, at(13, 2.0 + 0.25 * k as f64), vel, &mut rng);
    }
    vec![out]
}

/// A hi-hat hit: its time, velocity and whether the hat is open.
struct HatHit {
    t: f64,
    vel: f64,
    open: bool,
}

/// Sixteenths swung so the off-sixteenth lands at 57 % of the eighth — the lazy
/// push that keeps a 96 bpm groove from sounding quantised.
fn sixteenth(bar: usize, k: usize) -> f64 {
    const SWING: f64 = 0.57;
    let swing = if k % 2 == 1 { (SWING - 0.5) * 0.5 } else { 0.0 };
    at(bar, k as f64 * 0.25 + swing)
}

/// Which sixteenths of `bar` play: (index, velocity, open).
fn hat_pattern(bar: usize) -> Vec<(usize, f64, bool)> {
    match section(bar) {
        // Off-beats alone first, then straight eighths: the intro leans forward.
        Section::Intro if bar < 2 => [2, 6, 10, 14].map(|k| (k, 0.6, false)).to_vec(),
        Section::Intro => (0..16).step_by(2).map(|k| (k, if k % 4 == 0 { 0.45 } else { 0.7 }, false)).collect(),
        Section::Groove | Section::Lead | Section::Out => {
            let mut hits: Vec<_> =
                (0..16).step_by(2).map(|k| (k, if k % 4 == 0 { 0.7 } else { 0.95 }, false)).collect();
            hits.extend([(7, 0.35, false), (15, 0.35, false)]);
            if bar % 2 == 1 {
                // Open hat on the "and" of 4, choked by the next downbeat.
                hits.retain(|h| h.0 != 14);
                hits.push((14, 0.8, true));
            }
            hits.sort_by_key(|h| h.0);
            hits
        }
        Section::Break | Section::End => Vec::new(),
    }
}

/// Every hat hit in the song, humanised: ±12 % velocity and ±1.5 ms timing.
fn hat_hits(rng: &mut Rng) -> Vec<HatHit> {
    let mut hits = Vec::new();
    for bar in 0..BARS {
        for (k, vel, open) in hat_pattern(bar) {
            hits.push(HatHit {
                t: sixteenth(bar, k) + 0.0015 * rng.bipolar(),
                vel: vel * (1.0 + 0.12 * rng.bipolar()),
                open,
            });
        }
    }
    hits
}

/// One hat: high-passed noise. It stops at `until` with a 2 ms fade, as a real hat is
/// choked when the pedal closes for the next stroke.
fn hat_hit(out: &mut [f64], hit: &HatHit, until: f64, rng: &mut Rng) {
    let (tau, len): (f64, f64) = if hit.open { (0.09, 0.45) } else { (0.012, 0.12) };
    let len = len.min(until - hit.t);
    let mut svf = Svf::default();
    for (t, slot) in window(out, hit.t, len) {
        let attack = (t / 0.0005).min(1.0);
        let noise = svf.tick(rng.bipolar(), 7000.0, 0.8).hp;
        *slot += hit.vel * noise * attack * (-t / tau).exp() * tail_fade(t, len, 0.002);
    }
}

fn render_hats() -> Stem {
    let mut out = vec![0.0; song_frames()];
    let mut rng = Rng::new(0x6861_7473);
    let hits = hat_hits(&mut rng);
    for (i, hit) in hits.iter().enumerate() {
        let until = hits.get(i + 1).map_or(f64::INFINITY, |next| next.t);
        hat_hit(&mut out, hit, until, &mut rng);
    }
    vec![out]
}

/// A note for the pitched instruments. `bright` is the filter envelope's decay in
/// seconds: short for plucky eighths, long for swelling held notes.
struct Note {
    t: f64,
    gate: f64,
    midi: f64,
    vel: f64,
    bright: f64,
}

impl Note {
    fn new(t: f64, gate: f64, midi: f64) -> Self {
        Self { t, gate, midi, vel: 1.0, bright: 0.1 }
    }

    fn with(self, vel: f64, bright: f64) -> Self {
        Self { vel, bright, ..self }
    }
}

/// Driving eighths with octave jumps in the groove; held roots under the break.
fn bass_notes() -> Vec<Note> {
    const OCTAVES: [f64; 8] = [0.0, 0.0, 12.0, 0.0, 0.0, 0.0, 12.0, 0.0];
    let mut notes = Vec::new();
    for bar in 0..BARS {
        let root = ROOTS[bar % 4];
        if drums_play(bar) {
            for (k, oct) in OCTAVES.iter().enumerate() {
                let vel = if k % 2 == 0 { 1.0 } else { 0.85 };
                let note = Note::new(at(bar, k as f64 * 0.5), 0.4 * BEAT, root + oct);
                notes.push(note.with(vel, 0.09));
            }
        } else if section(bar) == Section::Break {
            notes.push(Note::new(at(bar, 0.0), 0.95 * BAR, root).with(0.9, 0.6));
        }
    }
    notes.push(Note::new(at(BARS, 0.0), 2.0 * BEAT, ROOTS[0]).with(1.0, 0.4));
    notes
}

/// One bass note: a saw for growl plus a sine sub for weight, through a resonant
/// low-pass whose cutoff snaps open and closes again — the classic synth-bass pluck.
fn bass_voice(out: &mut [f64], note: &Note) {
    let env = Adsr::new(0.004, 0.2, 0.8, 0.04);
    let freq = midi_hz(note.midi);
    let (mut saw, mut sub, mut svf) = (Saw { phase: 0.5 }, 0.0f64, Svf::default());
    for (t, slot) in window(out, note.t, env.span(note.gate)) {
        let cutoff = 140.0 + 1600.0 * note.vel * (-t / note.bright).exp();
        sub += TAU * freq / SR;
        let raw = 0.6 * saw.tick(freq) + 0.7 * sub.sin();
        *slot += note.vel * env.level(t, note.gate) * svf.tick(raw, cutoff, 1.1).lp;
    }
}

fn render_bass() -> Stem {
    let mut out = vec![0.0; song_frames()];
    for note in bass_notes() {
        bass_voice(&mut out, &note);
    }
    vec![out]
}

/// One pad note: three saws detuned by ±9 cents. The flat one leans left and the
/// sharp one right, so the chorus-like beating becomes width, not just wobble.
fn pad_voice(l: &mut [f64], r: &mut [f64], note: &Note, env: Adsr, rng: &mut Rng) {
    let freqs = [-0.09, 0.0, 0.09].map(|cents| midi_hz(note.midi + cents));
    let mut saws = [(); 3].map(|_| Saw { phase: rng.unit() });
    let span = env.span(note.gate);
    for ((t, left), (_, right)) in window(l, note.t, span).zip(window(r, note.t, span)) {
        let a = note.vel * env.level(t, note.gate);
        let [flat, mid, sharp] = [0, 1, 2].map(|v| saws[v].tick(freqs[v]));
        *left += a * (mid + 0.8 * flat + 0.25 * sharp);
        *right += a * (mid + 0.25 * flat + 0.8 * sharp);
    }
}

/// Pad filter cutoff at time `t`: opens over the intro, ducks dark for the break,
/// and drifts slowly everywhere so the pad never sits still.
fn pad_cutoff(t: f64) -> f64 {
    let bar = t / BAR;
    let base = match section(bar as usize) {
        Section::Intro => 300.0 * 6f64.powf(bar / 4.0),
        Section::Break => 900.0,
        _ => 1500.0,
    };
    base * (1.0 + 0.2 * (TAU * 0.08 * t).sin())
}

/// A 24 dB/oct low-pass (two SVFs) on each side, its cutoff smoothed over ~200 ms
/// so section changes sweep instead of jumping.
fn pad_filter(channel: &mut [f64]) {
    let smooth = 1.0 - (-1.0 / (0.2 * SR)).exp();
    let (mut a, mut b, mut cutoff) = (Svf::default(), Svf::default(), pad_cutoff(0.0));
    for (i, x) in channel.iter_mut().enumerate() {
        cutoff += (pad_cutoff(i as f64 / SR) - cutoff) * smooth;
        let y = a.tick(*x, cutoff, 0.6).lp;
        *x = b.tick(y, cutoff, 0.8).lp;
    }
}

/// The chords: legato pad, one chord a bar, with a slow first swell and a short
/// final chord that dies inside the tail.
fn render_chords() -> Stem {
    let (mut l, mut r) = (vec![0.0; song_frames()], vec![0.0; song_frames()]);
    let mut rng = Rng::new(0x7061_6473);
    for bar in 0..=BARS {
        let attack = if bar == 0 { 1.5 } else { 0.35 };
        let (gate, release) = if bar == BARS { (1.0, 0.28) } else { (BAR, 0.6) };
        let env = Adsr::new(attack, 1.2, 0.8, release);
        for &midi in &CHORDS[bar % 4] {
            let note = Note::new(at(bar, 0.0), gate, midi);
            pad_voice(&mut l, &mut r, &note, env, &mut rng);
        }
    }
    pad_filter(&mut l);
    pad_filter(&mut r);
    vec![l, r]
}

/// One lead note: two-operator FM (1:1, so it sits between a saw and a reed) whose
/// index falls after the attack, with vibrato that fades in as the note is held.
fn lead_voice(out: &mut [f64], note: &Note) {
    let env = Adsr::new(0.012, 0.25, 0.7, 0.12);
    let (mut car, mut modu) = (0.0f64, 0.0f64);
    for (t, slot) in window(out, note.t, env.span(note.gate)) {
        let vibrato = 0.22 * (TAU * 5.3 * t).sin() * ((t - 0.18) / 0.3).clamp(0.0, 1.0);
        let freq = midi_hz(note.midi + vibrato);
        car += TAU * freq / SR;
        modu += TAU * freq / SR;
        let index = 1.0 + 1.6 * (-t / note.bright).exp();
        *slot += note.vel * env.level(t, note.gate) * (car + index * modu.sin()).sin();
    }
}

/// A printed dotted-eighth echo (two repeats): the language has no delay yet, and a
/// synth lead this dry sounds unfinished.
fn add_echo(out: &mut [f64]) {
    let d = idx(0.75 * BEAT);
    let dry = out.to_vec();
    for (i, y) in out.iter_mut().enumerate() {
        let tap = |n: usize| i.checked_sub(n * d).map_or(0.0, |j| dry[j]);
        *y += 0.3 * tap(1) + 0.12 * tap(2);
    }
}

/// Expands `MELODY` into notes; breaks play a little softer.
fn lead_notes() -> Vec<Note> {
    let mut notes = Vec::new();
    for (bar, row) in MELODY {
        let vel = if section(bar) == Section::Break { 0.85 } else { 1.0 };
        let mut beat = 0.0;
        for cell in row.split_whitespace() {
            let (pitch, beats) = cell.split_once(':').expect("melody cells are `midi:beats`");
            let beats: f64 = beats.parse().expect("melody lengths are numbers");
            if let Ok(midi) = pitch.parse() {
                let note = Note::new(at(bar, beat), 0.92 * beats * BEAT, midi);
                notes.push(note.with(vel, 0.12));
            }
            beat += beats;
        }
    }
    notes
}

fn render_lead() -> Stem {
    let mut out = vec![0.0; song_frames()];
    for note in lead_notes() {
        lead_voice(&mut out, &note);
    }
    // Tame the FM's top octave; the lead should glow, not fizz.
    let mut svf = Svf::default();
    for x in out.iter_mut() {
        *x = svf.tick(*x, 4500.0, 0.7).lp;
    }
    add_echo(&mut out);
    vec![out]
}

/// Scales the stem so its sample peak sits at `PEAK_DBFS`.
fn normalise(stem: &mut Stem) {
    let peak = stem.iter().flatten().fold(0.0f64, |m, x| m.max(x.abs()));
    let scale = 10f64.powf(PEAK_DBFS / 20.0) / peak;
    stem.iter_mut().flatten().for_each(|x| *x *= scale);
}

/// Interleaves and rounds to 16-bit. Plain rounding is fine: the stems are loud
/// enough that undithered quantisation sits ~90 dB down.
fn to_pcm16(stem: &Stem) -> Vec<i32> {
    (0..stem[0].len())
        .flat_map(|i| stem.iter().map(move |ch| ch[i]))
        .map(|x| (x * 32767.0).round().clamp(-32768.0, 32767.0) as i32)
        .collect()
}

/// Encodes interleaved 16-bit samples to a FLAC file; returns its size in bytes.
fn write_flac(path: &Path, pcm: &[i32], channels: usize) -> Result<usize, Box<dyn Error>> {
    let mut config = flacenc::config::Encoder::default();
    // One thread, so the bytes cannot depend on scheduling.
    config.multithread = false;
    // Higher-order prediction pays off on these tonal, band-limited stems.
    config.subframe_coding.qlpc.lpc_order = 24;
    let config = config.into_verified().map_err(|(_, e)| format!("flac config: {e:?}"))?;
    let source = flacenc::source::MemSource::from_samples(pcm, channels, 16, SR as usize);
    let mut stream = flacenc::encode_with_fixed_block_size(&config, source, config.block_size)
        .map_err(|e| format!("flac encode: {e:?}"))?;
    // flacenc counts the short final block in STREAMINFO's minimum block size; the
    // spec excludes it, and decoders (Symphonia 0.5) read min != max as a
    // variable-blocksize stream and then reject every fixed-blocksize frame.
    stream
        .stream_info_mut()
        .set_block_sizes(config.block_size, config.block_size)
        .map_err(|e| format!("flac stream info: {e:?}"))?;
    let mut sink = flacenc::bitsink::ByteSink::new();
    stream.write(&mut sink).map_err(|e| format!("flac write: {e:?}"))?;
    std::fs::write(path, sink.as_slice())?;
    Ok(sink.as_slice().len())
}

/// Sample peak of 16-bit PCM in dBFS.
fn peak_dbfs(pcm: &[i32]) -> f64 {
    let peak = pcm.iter().map(|x| x.unsigned_abs()).max().unwrap_or(0);
    20.0 * (peak as f64 / 32768.0).log10()
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo/stems");
    std::fs::create_dir_all(&dir)?;
    let stems: [(&str, Render); 6] = [
        ("kick", render_kick),
        ("snare", render_snare),
        ("hats", render_hats),
        ("bass", render_bass),
        ("chords", render_chords),
        ("lead", render_lead),
    ];
    let mut total = 0;
    for (name, render) in stems {
        let mut stem = render();
        normalise(&mut stem);
        let pcm = to_pcm16(&stem);
        let bytes = write_flac(&dir.join(format!("{name}.flac")), &pcm, stem.len())?;
        total += bytes;
        let ch = stem.len();
        let peak = peak_dbfs(&pcm);
        println!("{name:>6}: {ch} ch, {bytes:>8} bytes, peak {peak:6.2} dBFS");
    }
    let secs = song_frames() as f64 / SR;
    println!("total {total} bytes, {secs:.2} s at {SR} Hz");
    Ok(())
}
