//! Sound-card output through cpal (ALSA; JACK, whose library is loaded at
//! run time). Built only with the `play` cargo feature: cpal's ALSA backend
//! links libasound, which needs the ALSA headers to build.
//!
//! Devices are named `host:device`, cpal's stable device id (`alsa:default`,
//! `alsa:null`, `jack:output`); `--device` takes that, the device part
//! alone, a unique part of either, or a host's name for its default
//! output (`--device jack`).

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, HostId, SampleFormat, SizedSample, StreamConfig};

use super::{DeviceInfo, OutputError, Stream};
use crate::play::engine::Engine;

/// Frames converted at a time for devices that do not take f32 (a fixed
/// scratch buffer: the callback cannot allocate).
const SCRATCH_FRAMES: usize = 1024;

fn host_name(id: HostId) -> String {
    id.name().to_ascii_lowercase()
}

/// The hosts to look in: JACK only when asked for by name or listing
/// everything, since making a JACK host starts clients.
fn hosts(include_jack: bool) -> Vec<cpal::Host> {
    cpal::available_hosts()
        .into_iter()
        .filter(|id| include_jack || host_name(*id) != "jack")
        .filter_map(|id| cpal::host_from_id(id).ok())
        .collect()
}

/// Every output of `host` with the name `--device` takes: cpal's stable id,
/// `host:pcm` (`alsa:null`, `alsa:hw:CARD=PCH,DEV=0`, `jack:output`).
fn outputs(host: &cpal::Host) -> Vec<(String, cpal::Device)> {
    let Ok(devices) = host.output_devices() else { return Vec::new() };
    devices.filter_map(|d| d.id().ok().map(|id| (id.to_string(), d))).collect()
}

pub fn devices() -> Vec<DeviceInfo> {
    let default = cpal::default_host().default_output_device().and_then(|d| d.id().ok()).map(|id| id.to_string());
    let mut list = Vec::new();
    for host in hosts(true) {
        for (name, device) in outputs(&host) {
            let description = device.description().map(|d| d.name().to_string()).unwrap_or_default();
            let detail = match summary(&device) {
                Some(s) if description.is_empty() => s,
                Some(s) => format!("{description} ({s})"),
                None => description,
            };
            list.push(DeviceInfo { default: default.as_deref() == Some(name.as_str()), name, detail });
        }
    }
    list
}

/// `8000–192000 Hz, 1–2 ch`: the rates and channel counts a device takes.
fn summary(device: &cpal::Device) -> Option<String> {
    let ranges: Vec<_> = device.supported_output_configs().ok()?.collect();
    let low = ranges.iter().map(|c| c.min_sample_rate()).min()?;
    let high = ranges.iter().map(|c| c.max_sample_rate()).max()?;
    let (fewest, most) = (ranges.iter().map(|c| c.channels()).min()?, ranges.iter().map(|c| c.channels()).max()?);
    let rates = if high >= 1_000_000 { format!("{low} Hz and up") } else { format!("{low}–{high} Hz") };
    let channels = if fewest == most { format!("{most} ch") } else { format!("{fewest}–{most} ch") };
    Some(format!("{rates}, {channels}"))
}

/// Finds the device `wanted` names (see the module docs).
fn find(wanted: &str) -> Result<(String, cpal::Device), OutputError> {
    let include_jack = wanted.to_ascii_lowercase().contains("jack");
    let hosts = hosts(include_jack);
    // A host's name alone (`--device jack`) is its default output.
    if let Some(host) = hosts.iter().find(|h| host_name(h.id()) == wanted.to_ascii_lowercase()) {
        let device = host.default_output_device().ok_or(OutputError::NoDevice)?;
        let name = device.id().map_or_else(|_| format!("{wanted}:default"), |id| id.to_string());
        return Ok((name, device));
    }
    let mut all: Vec<(String, cpal::Device)> = hosts.iter().flat_map(outputs).collect();
    let device_part = |full: &str| full.split_once(':').map_or(full.to_string(), |(_, d)| d.to_string());
    let exact = all.iter().position(|(full, _)| full == wanted || device_part(full) == wanted);
    let partial: Vec<usize> = (0..all.len()).filter(|&i| all[i].0.contains(wanted)).collect();
    let pick = exact.or(if partial.len() == 1 { Some(partial[0]) } else { None });
    match pick {
        Some(i) => Ok(all.swap_remove(i)),
        None => {
            let suggestion = crate::diagnostic::suggest(wanted, all.iter().map(|(n, _)| n.as_str()));
            Err(OutputError::NoSuchDevice { name: wanted.into(), suggestion })
        }
    }
}

pub fn start(device: Option<&str>, rate: u32, make: impl FnOnce(u32) -> Engine) -> Result<Stream, OutputError> {
    let (name, device) = match device {
        Some(wanted) => find(wanted)?,
        None => {
            let host = cpal::default_host();
            let d = host.default_output_device().ok_or(OutputError::NoDevice)?;
            let name = d.id().map_or_else(|_| format!("{}:default", host_name(host.id())), |id| id.to_string());
            (name, d)
        }
    };
    let fail = |reason: String| OutputError::Device { name: name.clone(), reason };
    let config = choose_config(&device, rate).map_err(fail)?;
    let format = config.sample_format();
    let config: StreamConfig = config.config();
    let engine = make(config.sample_rate);
    let stream = match format {
        SampleFormat::F32 => build::<f32>(&device, &config, engine),
        SampleFormat::I16 => build::<i16>(&device, &config, engine),
        SampleFormat::I32 => build::<i32>(&device, &config, engine),
        SampleFormat::U16 => build::<u16>(&device, &config, engine),
        SampleFormat::F64 => build::<f64>(&device, &config, engine),
        other => Err(format!("its sample format {other} is not supported")),
    }
    .map_err(fail)?;
    stream.play().map_err(|e| fail(e.to_string()))?;
    Ok(Stream { _inner: Box::new(stream), rate: config.sample_rate, name })
}

/// The song's rate in f32 where the device has it; else its own default.
fn choose_config(device: &cpal::Device, rate: u32) -> Result<cpal::SupportedStreamConfig, String> {
    let ranges: Vec<_> = device.supported_output_configs().map_err(|e| e.to_string())?.collect();
    let fits = |c: &&cpal::SupportedStreamConfigRange| c.min_sample_rate() <= rate && rate <= c.max_sample_rate();
    let rank = |c: &cpal::SupportedStreamConfigRange| (c.sample_format() != SampleFormat::F32, c.channels() != 2);
    let mut fitting: Vec<_> = ranges.iter().filter(fits).collect();
    fitting.sort_by_key(|c| rank(c));
    match fitting.first() {
        Some(c) => Ok((*c).with_sample_rate(rate)),
        None => device.default_output_config().map_err(|e| e.to_string()),
    }
}

fn build<T>(device: &cpal::Device, config: &StreamConfig, mut engine: Engine) -> Result<cpal::Stream, String>
where
    T: SizedSample + FromSample<f32> + Send + 'static,
{
    let channels = config.channels as usize;
    let mut scratch = vec![0.0f32; SCRATCH_FRAMES * channels];
    let on_error = |e: cpal::Error| eprintln!("\r\x1b[2Kplayback error: {e}");
    let data = move |out: &mut [T], _: &cpal::OutputCallbackInfo| {
        for chunk in out.chunks_mut(scratch.len()) {
            let s = &mut scratch[..chunk.len()];
            engine.process(s, channels);
            for (o, x) in chunk.iter_mut().zip(s.iter()) {
                *o = T::from_sample(*x);
            }
        }
    };
    device.build_output_stream::<T, _, _>(*config, data, on_error, None).map_err(|e| e.to_string())
}
