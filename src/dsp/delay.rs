//! Echo delay ([`Delay`]): feedback, optional filters in the feedback path,
//! normal or ping-pong, with a tape-style glide when the time is automated.
//!
//! Integer delay times are exact: the read head sits on a whole sample, so an
//! impulse comes back bit-identical `time·rate` frames later and each repeat
//! is exactly `feedback` times the one before. Automating `time` moves the
//! read head smoothly (linear interpolation) rather than crossfading two
//! heads: under the fixed-grid automation the renderer sends, a crossfade
//! would restart on every grid point, whereas a moving head just bends the
//! pitch a little, like a tape delay. The head moves at most half a frame per
//! frame (a pitch change of at most an octave down, a fifth up).

use super::delay_line::{frames, DelayLine, Section};
use super::gain::Smoother;
use super::rbj::{BiquadSpec, FilterKind};
use super::{to_output, Processor};

/// Longest delay time in seconds; `prepare` allocates this much history.
pub const MAX_TIME: f64 = 10.0;
/// Largest feedback: more would ring for minutes.
pub const MAX_FEEDBACK: f64 = 0.95;
/// −90 dBFS, the level at which a tail counts as over.
const TAIL_LEVEL: f64 = 3.162_277_660_168_379_5e-5;
/// Ramp time for feedback and mix automation.
const RAMP_SECONDS: f64 = 0.02;
/// Shortest glide of the read head after a time change.
const GLIDE_SECONDS: f64 = 0.05;

/// Everything a `delay(...)` call sets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DelaySettings {
    /// Delay time in seconds (at least one frame is used).
    pub time: f64,
    /// Gain of each repeat relative to the previous, 0..=[`MAX_FEEDBACK`].
    pub feedback: f64,
    /// Wet fraction: 0 dry only, 1 echoes only.
    pub mix: f64,
    /// Repeats alternate between left and right (stereo only).
    pub pingpong: bool,
    /// Low-pass corner in the feedback path, Hz.
    pub lowpass: Option<f64>,
    /// High-pass corner in the feedback path, Hz.
    pub highpass: Option<f64>,
}

impl DelaySettings {
    /// A plain delay of `time` seconds, no feedback, fully wet.
    pub fn new(time: f64) -> DelaySettings {
        DelaySettings { time, feedback: 0.0, mix: 1.0, pingpong: false, lowpass: None, highpass: None }
    }
}

/// The echo processor; see the module docs.
#[derive(Clone, Debug)]
pub struct Delay {
    settings: DelaySettings,
    rate: f64,
    lines: Vec<DelayLine>,
    /// Feedback-path filters, per channel.
    filters: Vec<Vec<Section>>,
    /// Read-head position in frames.
    time: Smoother,
    feedback: Smoother,
    mix: Smoother,
}

impl Delay {
    /// A delay with `settings`; `prepare` allocates its history.
    pub fn new(settings: DelaySettings) -> Delay {
        Delay {
            settings,
            rate: 0.0,
            lines: Vec::new(),
            filters: Vec::new(),
            time: Smoother::new(1.0),
            feedback: Smoother::new(0.0),
            mix: Smoother::new(0.0),
        }
    }

    fn time_frames(&self, seconds: f64) -> f64 {
        let max = frames(MAX_TIME, self.rate) as f64;
        (seconds * self.rate).clamp(1.0, max.max(1.0))
    }

    fn make_filters(&self) -> Vec<Section> {
        let lp = self.settings.lowpass.map(|f| BiquadSpec::new(FilterKind::Lowpass, f));
        let hp = self.settings.highpass.map(|f| BiquadSpec::new(FilterKind::Highpass, f));
        lp.into_iter().chain(hp).map(|spec| Section::new(&spec, self.rate)).collect()
    }

    /// The feedback signal for one channel: the echo through the filters.
    #[inline(always)]
    fn feed(filters: &mut [Section], echo: f64, gain: f64) -> f64 {
        let filtered = filters.iter_mut().fold(echo, |x, f| f.tick(x));
        filtered * gain
    }

    fn process_normal(&mut self, audio: &mut [&mut [f32]]) {
        let frames = audio.first().map_or(0, |ch| ch.len());
        for i in 0..frames {
            let d = self.time.next() - 1.0;
            let (fb, mix) = (self.feedback.next(), self.mix.next());
            for (c, channel) in audio.iter_mut().enumerate() {
                let x = channel[i] as f64;
                let echo = self.lines[c].read_frac(d);
                let back = Self::feed(&mut self.filters[c], echo, fb);
                self.lines[c].write(x + back);
                channel[i] = to_output(x * (1.0 - mix) + echo * mix);
            }
        }
    }

    fn process_pingpong(&mut self, left: &mut [f32], right: &mut [f32]) {
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let d = self.time.next() - 1.0;
            let (fb, mix) = (self.feedback.next(), self.mix.next());
            let (xl, xr) = (*l as f64, *r as f64);
            let echo_l = self.lines[0].read_frac(d);
            let echo_r = self.lines[1].read_frac(d);
            // The input enters on the left; each side feeds the other.
            let back_l = Self::feed(&mut self.filters[1], echo_r, fb);
            let back_r = Self::feed(&mut self.filters[0], echo_l, fb);
            self.lines[0].write((xl + xr) * 0.5 + back_l);
            self.lines[1].write(back_r);
            *l = to_output(xl * (1.0 - mix) + echo_l * mix);
            *r = to_output(xr * (1.0 - mix) + echo_r * mix);
        }
    }
}

impl Processor for Delay {
    fn prepare(&mut self, rate: f64, channels: usize, _max_block: usize) {
        self.rate = rate;
        let capacity = frames(MAX_TIME, rate) + 2;
        self.lines = (0..channels).map(|_| DelayLine::new(capacity)).collect();
        self.filters = (0..channels).map(|_| self.make_filters()).collect();
        self.reset();
    }

    fn process(&mut self, audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {
        match audio {
            [left, right] if self.settings.pingpong => self.process_pingpong(left, right),
            _ => self.process_normal(audio),
        }
    }

    fn reset(&mut self) {
        self.lines.iter_mut().for_each(DelayLine::clear);
        self.filters.iter_mut().flatten().for_each(Section::clear);
        self.time.reset(self.time_frames(self.settings.time));
        self.feedback.reset(self.settings.feedback.clamp(0.0, MAX_FEEDBACK));
        self.mix.reset(self.settings.mix.clamp(0.0, 1.0));
    }

    /// Frames until the repeats of a full-scale input are below −90 dB. A
    /// steady input can build the loop up to 1/(1 − feedback), hence the
    /// extra repeats; the filters' own ringing is added once per repeat.
    fn tail(&self) -> usize {
        let d = self.time.target().max(self.time.current()).ceil() as usize;
        let fb = self.feedback.target().max(self.feedback.current());
        let repeats = if fb > 0.0 { ((TAIL_LEVEL * (1.0 - fb)).ln() / fb.ln()).ceil().max(0.0) as usize } else { 0 };
        let ring: usize = self.filters.first().map_or(0, |f| f.iter().map(|s| s.coeffs().tail_frames()).sum());
        (repeats + 1) * (d + ring) + 1
    }

    /// 0 `time` (s), 1 `feedback`, 2 `mix` (fractions).
    fn set_param(&mut self, index: usize, value: f64) {
        let ramp = Smoother::ramp_frames(RAMP_SECONDS, self.rate);
        match index {
            0 => {
                let target = self.time_frames(value);
                let glide = Smoother::ramp_frames(GLIDE_SECONDS, self.rate);
                let distance = (target - self.time.current()).abs();
                self.time.set_target(target, glide.max((2.0 * distance).ceil() as u64));
            }
            1 => self.feedback.set_target(value.clamp(0.0, MAX_FEEDBACK), ramp),
            2 => self.mix.set_target(value.clamp(0.0, 1.0), ramp),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::tests::process_blocks;

    fn impulse_response(settings: DelaySettings, channels: usize, frames: usize) -> Vec<Vec<f32>> {
        let mut d = Delay::new(settings);
        d.prepare(48_000.0, channels, 1024);
        let mut input = vec![vec![0.0f32; frames]; channels];
        input[0][0] = 1.0;
        process_blocks(&mut d, &input, &[1024])
    }

    #[test]
    fn an_eighth_note_at_120_bpm_is_exactly_12000_frames() {
        let out = impulse_response(DelaySettings::new(0.25), 1, 30_000);
        let hits: Vec<usize> = (0..out[0].len()).filter(|&i| out[0][i] != 0.0).collect();
        assert_eq!(hits, vec![12_000]);
        assert_eq!(out[0][12_000], 1.0);
    }

    #[test]
    fn each_repeat_is_feedback_times_the_last() {
        let settings = DelaySettings { feedback: 0.35, ..DelaySettings::new(0.01) };
        let out = impulse_response(settings, 1, 4800);
        for k in 1..9 {
            let (prev, this) = (out[0][480 * k] as f64, out[0][480 * (k + 1)] as f64);
            assert!((this / prev - 0.35).abs() < 1e-6, "repeat {k}: {this} / {prev}");
        }
        let echoes = out[0].iter().filter(|&&x| x != 0.0).count();
        assert_eq!(echoes, 9, "nothing between the repeats");
    }

    #[test]
    fn pingpong_alternates_sides() {
        let settings = DelaySettings { feedback: 0.5, pingpong: true, ..DelaySettings::new(0.01) };
        let out = impulse_response(settings, 2, 2000);
        // The impulse is on the left only, so half of it enters the loop.
        assert_eq!((out[0][480], out[1][480]), (0.5, 0.0));
        assert_eq!((out[0][960], out[1][960]), (0.0, 0.25));
        assert_eq!((out[0][1440], out[1][1440]), (0.125, 0.0));
    }

    #[test]
    fn mix_blends_dry_and_wet_and_filters_darken_repeats() {
        let settings = DelaySettings { mix: 0.25, feedback: 0.5, lowpass: Some(2000.0), ..DelaySettings::new(0.01) };
        let out = impulse_response(settings, 1, 2000);
        assert_eq!(out[0][0], 0.75);
        assert_eq!(out[0][480], 0.25, "the first echo is not filtered");
        let second: f64 = out[0][960..1440].iter().map(|&x| x as f64).sum();
        assert!((second - 0.125).abs() < 1e-3, "low-pass keeps DC: {second}");
        assert!(out[0][960] < 0.1, "but smears the click");
    }

    #[test]
    fn tail_covers_the_repeats() {
        let mut d = Delay::new(DelaySettings { feedback: 0.5, ..DelaySettings::new(0.1) });
        d.prepare(48_000.0, 1, 64);
        // 0.5^k / 0.5 < 3.2e-5 needs k = 16 repeats, plus the first echo.
        assert_eq!(d.tail(), 17 * 4800 + 1);
    }

    #[test]
    fn automated_time_glides_without_jumps() {
        let mut d = Delay::new(DelaySettings::new(0.01));
        d.prepare(48_000.0, 1, 256);
        let sine: Vec<f32> = (0..20_000).map(|i| (i as f32 * 0.01).sin()).collect();
        let first = process_blocks(&mut d, &[sine[..10_000].to_vec()], &[256]);
        d.set_param(0, 0.02);
        let second = process_blocks(&mut d, &[sine[10_000..].to_vec()], &[256]);
        let joined: Vec<f32> = first[0].iter().chain(&second[0]).copied().collect();
        let worst = joined[500..].windows(2).fold(0.0f32, |m, w| m.max((w[1] - w[0]).abs()));
        assert!(worst < 0.02, "largest step {worst}");
    }
}
