//! Sample-rate conversion: sources delivered at the session rate, and rendered
//! signals converted to an export's rate.
//!
//! Both use [`Converter`] (rubato windowed sinc, 192 taps, BlackmanHarris²,
//! exact polyphase for rational ratios, cut-off 0.95 · the lower Nyquist), aligned so output sample 0 is
//! input sample 0 and trimmed to round(n · to / from) frames. Equal rates pass
//! samples through untouched, bit for bit.

use std::path::Path;

use super::converter::Converter;
use super::decode::Decoder;
use super::AudioError;

/// Frames decoded per refill when converting.
const DECODE_BLOCK: usize = 4096;

/// A source file delivered at the session rate.
pub struct SourceStream {
    decoder: Decoder,
    rate: u32,
    converter: Option<Converter>,
    /// Decoded input waiting to be converted (conversion only).
    decoded: Vec<Vec<f32>>,
    /// Converted output not yet handed out, and how much of it was.
    queue: Vec<Vec<f32>>,
    queue_pos: usize,
    input_done: bool,
}

impl SourceStream {
    pub fn open(path: &Path, rate: u32) -> Result<Self, AudioError> {
        Self::open_with(path, rate, false)
    }

    /// [`open`](SourceStream::open), concealing damage when `conceal`.
    pub fn open_with(path: &Path, rate: u32, conceal: bool) -> Result<Self, AudioError> {
        let decoder = Decoder::open_with(path, conceal)?;
        let info = decoder.info();
        let channels = info.channels;
        let converter = if info.rate == rate {
            None
        } else {
            let c = Converter::new(channels, info.rate, rate)
                .map_err(|reason| AudioError::Resample { path: path.into(), reason })?;
            Some(c)
        };
        Ok(SourceStream {
            decoder,
            rate,
            converter,
            decoded: vec![vec![0.0; DECODE_BLOCK]; channels],
            queue: vec![Vec::new(); channels],
            queue_pos: 0,
            input_done: false,
        })
    }

    pub fn channels(&self) -> usize {
        self.decoder.info().channels
    }

    /// What was concealed so far, at the file's own rate (see [`Decoder::concealed`]).
    pub fn concealed(&self) -> super::conceal::ConcealedIn {
        let d = &self.decoder;
        super::conceal::ConcealedIn { path: d.path().into(), rate: d.info().rate, what: d.concealed() }
    }

    /// Total frames at the session rate, when known.
    pub fn frames(&self) -> Option<u64> {
        let info = self.decoder.info();
        info.frames.map(|n| Converter::converted_len(n, info.rate, self.rate))
    }

    /// Fills `out` completely unless the stream ends; returns frames written, 0 at the end.
    pub fn read(&mut self, out: &mut [&mut [f32]]) -> Result<usize, AudioError> {
        let want = out.iter().map(|o| o.len()).min().unwrap_or(0);
        let mut filled = 0;
        while filled < want {
            let n = if self.converter.is_some() {
                self.read_converted(out, filled, want)?
            } else {
                let mut parts: Vec<&mut [f32]> = out.iter_mut().map(|o| &mut o[filled..want]).collect();
                self.decoder.read(&mut parts)?
            };
            if n == 0 {
                break;
            }
            filled += n;
        }
        Ok(filled)
    }

    /// Copies queued output into `out[..][at..want]`, refilling the queue first
    /// when it is empty; 0 at the end.
    fn read_converted(&mut self, out: &mut [&mut [f32]], at: usize, want: usize) -> Result<usize, AudioError> {
        if self.queue_pos >= self.queue[0].len() {
            self.refill()?;
        }
        let avail = self.queue[0].len() - self.queue_pos;
        let n = avail.min(want - at);
        for (o, q) in out.iter_mut().zip(&self.queue) {
            o[at..at + n].copy_from_slice(&q[self.queue_pos..self.queue_pos + n]);
        }
        self.queue_pos += n;
        Ok(n)
    }

    /// Decodes one block and converts it; at the end of the input flushes the
    /// converter. Leaves the queue empty only when everything has been read.
    fn refill(&mut self) -> Result<(), AudioError> {
        for q in &mut self.queue {
            q.clear();
        }
        self.queue_pos = 0;
        let Some(conv) = self.converter.as_mut() else {
            return Ok(());
        };
        while self.queue[0].is_empty() && !self.input_done {
            let mut parts: Vec<&mut [f32]> = self.decoded.iter_mut().map(|d| &mut d[..]).collect();
            let n = self.decoder.read(&mut parts)?;
            let path = self.decoder.path();
            let res = if n == 0 {
                self.input_done = true;
                conv.finish(&mut self.queue)
            } else {
                let input: Vec<&[f32]> = self.decoded.iter().map(|d| &d[..n]).collect();
                conv.push(&input, &mut self.queue)
            };
            res.map_err(|reason| AudioError::Resample { path: path.into(), reason })?;
        }
        Ok(())
    }
}

/// Streaming conversion of a rendered signal to another rate (exports).
///
/// Memory is bounded: one rubato chunk of input is held between calls.
pub struct StreamResampler {
    channels: usize,
    converter: Option<Converter>,
}

impl StreamResampler {
    pub fn new(channels: usize, from: u32, to: u32) -> Result<Self, String> {
        let converter = if from == to { None } else { Some(Converter::new(channels, from, to)?) };
        Ok(StreamResampler { channels, converter })
    }

    /// Converts `input` (one slice per channel) and appends the result to `output`.
    pub fn process(&mut self, input: &[&[f32]], output: &mut [Vec<f32>]) -> Result<(), String> {
        if input.len() < self.channels || output.len() < self.channels {
            return Err(format!("expected {} channels", self.channels));
        }
        let n = input[0].len();
        if input[..self.channels].iter().any(|c| c.len() != n) {
            return Err("channel slices differ in length".into());
        }
        match &mut self.converter {
            Some(c) => c.push(&input[..self.channels], &mut output[..self.channels]),
            None => {
                for (o, i) in output.iter_mut().zip(input).take(self.channels) {
                    o.extend_from_slice(i);
                }
                Ok(())
            }
        }
    }

    /// Flushes what is left, so the total output is round(n · to / from) frames.
    pub fn finish(&mut self, output: &mut [Vec<f32>]) -> Result<(), String> {
        match &mut self.converter {
            Some(c) => {
                let channels = self.channels.min(output.len());
                c.finish(&mut output[..channels])
            }
            None => Ok(()),
        }
    }
}
