//! Audio files named by processor parameters (a convolution's impulse
//! response) are decoded at check time, at the session rate, so a missing or
//! unreadable file is a diagnostic on its argument and the plan cannot fail.

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::io::resample::SourceStream;
use crate::io::AudioError;
use crate::processor::registry::{AudioClip, ParamValue};
use crate::processor::value::Kind;

use super::ctx::Ctx;
use super::nodes::Draft;

/// Longest audio a parameter may name: ten minutes, far beyond any impulse response.
const MAX_SECONDS: u64 = 600;

/// Replaces every audio-file argument with its decoded samples.
pub fn load(ctx: &mut Ctx, drafts: &mut [Draft], base: &Path, rate: u32) {
    for d in drafts.iter_mut() {
        for call in &mut d.chain {
            for (i, spec) in call.spec.params.iter().enumerate() {
                if spec.kind != Kind::Text {
                    continue;
                }
                let (Some(ParamValue::Text(written)), Some(span)) = (&call.params.values[i], call.param_spans[i])
                else {
                    continue;
                };
                let path = base.join(written);
                match decode(&path, rate) {
                    Ok(clip) => call.params.values[i] = Some(ParamValue::Audio(Arc::new(clip))),
                    Err(reason) => {
                        let kind = if path.exists() {
                            ErrorKind::UnreadableSource { path: written.clone(), reason }
                        } else {
                            ErrorKind::MissingSource { path: written.clone(), reason }
                        };
                        ctx.error(Diagnostic::new(kind, span));
                    }
                }
            }
        }
    }
}

fn decode(path: &Path, rate: u32) -> Result<AudioClip, String> {
    let reason = |e: AudioError| e.to_string();
    let mut stream = SourceStream::open(path, rate).map_err(reason)?;
    let channels = stream.channels();
    let mut out: Vec<Vec<f32>> = vec![Vec::new(); channels];
    let mut buf = vec![vec![0.0f32; 8192]; channels];
    loop {
        let mut slices: Vec<&mut [f32]> = buf.iter_mut().map(|b| b.as_mut_slice()).collect();
        let n = stream.read(&mut slices).map_err(reason)?;
        if n == 0 {
            break;
        }
        for (o, b) in out.iter_mut().zip(&buf) {
            o.extend_from_slice(&b[..n]);
        }
        if out[0].len() as u64 > MAX_SECONDS * rate as u64 {
            return Err(format!("longer than {MAX_SECONDS} s"));
        }
    }
    Ok(AudioClip { path: path.to_path_buf(), rate, channels: out })
}
