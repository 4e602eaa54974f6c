//! Rendering a song whose deliverables have loudness targets or a final
//! limiter: the mastering barrier (see [`crate::deliver::mastering`]).
//!
//! The whole master output is rendered once and held (in memory, or past a
//! bound in a temporary file: [`crate::deliver::mastering::held`]); then
//! every export is mastered on its own (in parallel: each has its own rate,
//! format and target), judged against the `check` lines, and only when every
//! file passes are they written, each through a temporary file.

use std::path::PathBuf;

use rayon::prelude::*;

use super::{Error, QcFailure, RunOptions, Summary, Written};
use crate::cache::{CachedOutput, Mode};
use crate::deliver::encode::Completed;
use crate::deliver::mastering::decoded_ceiling::Lowering;
use crate::deliver::mastering::held::{bound_bytes, Held, Holder};
use crate::deliver::mastering::{normalise, Mastered, NormaliseError, Request};
use crate::deliver::Delivery;
use crate::io::AudioError;
use crate::ir::{MixGraph, Target};
use crate::plan::Plan;
use crate::render::{render_with, RenderError};

/// Whether `graph` needs the barrier: a target somewhere, or a final limiter.
pub fn needs_barrier(graph: &MixGraph) -> bool {
    graph.final_limiter.is_some() || graph.target.is_set() || graph.exports.iter().any(|e| e.target.is_set())
}

/// What to ask of the mastering stage for each export of `graph`.
pub fn requests(graph: &MixGraph) -> Vec<Request<'_>> {
    let limiter = graph.final_limiter.as_ref().map(|l| crate::processor::dynamics::limiter_spec(&l.params));
    graph
        .exports
        .iter()
        .enumerate()
        .map(|(i, export)| Request {
            export,
            target: export.target.or(graph.target),
            limiter,
            seed: super::seed(i),
            fixed_gain_db: None,
        })
        .collect()
}

pub(super) fn deliver(
    graph: &MixGraph,
    plan: Plan,
    modes: Vec<Mode>,
    options: RunOptions,
    progress: &mut dyn FnMut(u64, u64),
    cancelled: &dyn Fn() -> bool,
    listen: Option<super::Listener>,
) -> Result<(Summary, Vec<Option<CachedOutput>>), Error> {
    let started = std::time::Instant::now();
    // Listening needs the whole master in memory anyway (the player holds it).
    let bound = if listen.is_some() { u64::MAX } else { bound_bytes() };
    let near = graph.exports.first().map_or_else(|| PathBuf::from("mixc"), |e| e.path.clone());
    let holder = Holder::new(graph.rate, 2, bound, &near.with_extension("programme"));
    let (programme, stats, captured) = render_programme(plan, modes, options, holder, progress, cancelled)?;
    let requests = requests(graph);
    let mastered = master_all(&programme, &requests, options)?;
    if let Some(listen) = listen {
        // What the first deliverable will sound like; the plain master when there is none.
        let heard = match mastered.first() {
            Some(m) => m.delivered.clone(),
            None => programme.in_memory().cloned(),
        };
        if let Some(heard) = heard {
            listen(heard);
        }
    }
    let held_on_disk = programme.in_memory().is_none().then(|| programme.frames() as u64 * 8);
    let written = write_all(graph, &programme, &requests, mastered)?;
    // The time includes mastering, not just the mix.
    let elapsed = started.elapsed();
    let (frames, rate, peak, concealed) = (stats.frames, stats.rate, stats.peak, stats.concealed);
    let summary = Summary { written, frames, rate, peak, elapsed, held_on_disk, concealed };
    Ok((summary, captured))
}

/// Renders `plan`: the whole master output, before any final limiter, into
/// `holder` (which keeps it in memory or on disk, and may convert its rate).
pub fn render_programme(
    plan: Plan,
    modes: Vec<Mode>,
    options: RunOptions,
    mut holder: Holder,
    progress: &mut dyn FnMut(u64, u64),
    cancelled: &dyn Fn() -> bool,
) -> Result<(Held, crate::render::RenderStats, Vec<Option<CachedOutput>>), Error> {
    let mut sink = |chunk: &[&[f32]]| -> Result<(), AudioError> {
        if cancelled() {
            return Err(AudioError::Write { path: PathBuf::from("(exports)"), reason: "cancelled".into() });
        }
        holder.push(chunk)
    };
    let (stats, captured) = render_with(plan, modes, options.render, &mut sink, progress).map_err(Error::from)?;
    Ok((holder.finish()?, stats, captured))
}

/// Masters every request, in parallel; the first failure (in export order) wins.
pub fn master_all(programme: &Held, requests: &[Request], options: RunOptions) -> Result<Vec<Mastered>, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.render.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Render(RenderError::Threads(e.to_string())))?;
    let results: Vec<_> = pool.install(|| requests.par_iter().map(|r| normalise(programme, r)).collect());
    results
        .into_iter()
        .zip(requests)
        .map(|(r, req)| r.map_err(|error| Error::Target { path: req.export.path.clone(), error }))
        .collect()
}

/// Writes one mastered file under its temporary name and, when lossy, decodes
/// and measures it. With `true_peak = ... after decoding`, a decoded file
/// over the ceiling is mastered again with the limiter lowered (see
/// [`crate::deliver::mastering::decoded_ceiling`]) and encoded again, until it holds.
fn write_one(
    graph: &MixGraph,
    programme: &Held,
    request: &Request,
    mut m: Mastered,
) -> Result<(u64, Completed, Mastered), Error> {
    let ceiling = request.target.true_peak.filter(|_| request.target.after_decoding);
    let mut lowering = Lowering::default();
    let give_up = |c: f64, over: f64, l: &Lowering| Error::Target {
        path: request.export.path.clone(),
        error: NormaliseError::DecodedOver { ceiling: c, decoded: c + over, lowered: l.db, passes: l.passes },
    };
    loop {
        let lower =
            Request { target: Target { true_peak: ceiling.map(|c| c - lowering.db), ..request.target }, ..*request };
        let r = if lowering.db > 0.0 { &lower } else { request };
        if lowering.db > 0.0 {
            m = match normalise(programme, r) {
                Ok(m) => m,
                // The loudness no longer fits under the lowered ceiling.
                Err(NormaliseError::Unreachable { .. }) => {
                    return Err(give_up(ceiling.unwrap_or(0.0), lowering.last_overshoot(), &lowering));
                }
                Err(error) => return Err(Error::Target { path: r.export.path.clone(), error }),
            };
        }
        let tags = crate::deliver::song_tags(&graph.metadata, r.export);
        // The mastered signal comes at the export's rate already.
        let (from, to) = (u128::from(programme.rate().max(1)), u128::from(r.export.rate));
        let frames = (programme.frames() as u128 * to).div_ceil(from) as u64;
        let mut d = Delivery::open(r.export, r.export.rate, frames, r.seed, false, tags)?;
        crate::deliver::mastering::normalise::deliver(programme, r, &m, &mut |chunk| d.write(chunk))?;
        let (frames, file) = d.complete(Some(&m.measured))?;
        let Some(decoded) = crate::deliver::measure_decoded(r.export, &file)? else { return Ok((frames, file, m)) };
        m.measured = decoded;
        let (c, over) = match (ceiling, m.measured.true_peak_dbtp) {
            (Some(c), Some(tp)) if tp > c => (c, tp - c),
            _ => return Ok((frames, file, m)),
        };
        if lowering.next(over).is_none() {
            return Err(give_up(c, over, &lowering));
        }
    }
}

/// Writes every mastered file under its temporary name (a lossy one then
/// decoded and measured again), judges them all against the checks, and
/// moves them into place only when every one passes.
pub fn write_all(
    graph: &MixGraph,
    programme: &Held,
    requests: &[Request],
    mastered: Vec<Mastered>,
) -> Result<Vec<Written>, Error> {
    let mut complete = Vec::new();
    for (m, r) in mastered.into_iter().zip(requests) {
        complete.push(write_one(graph, programme, r, m)?);
    }
    let failures: Vec<QcFailure> = complete
        .iter()
        .zip(requests)
        .filter_map(|((_, _, m), r)| {
            let checks: Vec<_> = graph.checks.iter().chain(&r.export.checks).cloned().collect();
            let verdicts = crate::deliver::qc::judge(&checks, &m.measured);
            verdicts.iter().any(|v| !v.pass).then(|| QcFailure { path: r.export.path.clone(), verdicts })
        })
        .collect();
    if !failures.is_empty() {
        return Err(Error::Qc(failures));
    }
    let mut written = Vec::new();
    for ((frames, file, m), r) in complete.into_iter().zip(requests) {
        file.commit()?;
        let (path, rate) = (r.export.path.clone(), r.export.rate);
        let container = r.export.container;
        let measured = Some(m.measured);
        written.push(Written { path, frames, rate, container, measured, mastered: Some(m.report), clipped: 0 });
    }
    Ok(written)
}
