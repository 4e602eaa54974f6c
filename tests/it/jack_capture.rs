//! A JACK server of the test's own (the dummy driver: a real JACK graph
//! running at the real-time rate with no sound card) and a capture client
//! that records what another client played, each period stamped with the
//! moment it arrived.
//!
//! The server gets a name of its own, so the test never touches a user's
//! JACK and two runs never meet. `mixc` (a child process) finds it through
//! `JACK_DEFAULT_SERVER`; this process cannot set that variable safely while
//! other tests run, so the capture client opens the server by name through
//! `jack_client_open`'s variadic server-name argument, which the `jack`
//! crate does not expose.

use std::ffi::{c_char, c_uint, CString};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rtrb::{Consumer, Producer, RingBuffer};

pub const RATE: u32 = 48_000;
/// Frames per JACK period.
pub const PERIOD: u32 = 256;

/// `jackd -d dummy`, stopped when dropped.
pub struct Server {
    pub name: String,
    child: Child,
}

impl Server {
    /// Starts a server named after this process and `tag`; `Err` says why not.
    pub fn start(tag: &str, log: &Path) -> Result<Server, String> {
        let name = format!("mixc-test-{}-{tag}", std::process::id());
        let log = std::fs::File::create(log).map_err(|e| e.to_string())?;
        let rate = RATE.to_string();
        let period = PERIOD.to_string();
        let child = Command::new("jackd")
            .args(["-n", &name, "-d", "dummy", "-r", &rate, "-p", &period])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot run `jackd` ({e}); Debian's jackd2 has it"))?;
        Ok(Server { name, child })
    }

    /// The server is gone (it failed to start, or died).
    pub fn exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One process cycle as the capture client saw it.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    /// Frames recorded before this period.
    pub first: u64,
    pub arrived: Instant,
}

/// The capture client's process callback.
type Process = Box<dyn FnMut(&jack::Client, &jack::ProcessScope) -> jack::Control + Send>;
type Handler = jack::contrib::ClosureProcessHandler<(), Process>;

/// The recording client: two inputs, everything they received kept.
pub struct Capture {
    client: jack::AsyncClient<(), Handler>,
    samples: Consumer<f32>,
    periods: Consumer<Period>,
    ports: [String; 2],
    /// What was recorded so far: interleaved stereo, and the periods.
    pub recorded: Vec<f32>,
    pub stamps: Vec<Period>,
}

/// Opens a client on the server `server` (no server is started for it).
fn open(server: &str, client: &str) -> Result<jack::Client, String> {
    type Open = unsafe extern "C" fn(*const c_char, c_uint, *mut c_uint, ...) -> *mut jack_sys::jack_client_t;
    let lib = jack_sys::library().map_err(|e| format!("cannot load libjack: {e}"))?;
    // SAFETY: the symbol is libjack's `jack_client_open`, whose C signature
    // is `(const char *, jack_options_t, jack_status_t *, ...)`; with
    // `JackServerName` the one variadic argument is the server's name.
    let open: Open = unsafe { *lib.get::<Open>(b"jack_client_open\0").map_err(|e| e.to_string())? };
    let (client, server) = (CString::new(client).unwrap(), CString::new(server).unwrap());
    let mut status: c_uint = 0;
    let options = jack_sys::JackNoStartServer | jack_sys::JackServerName;
    // SAFETY: both strings outlive the call; libjack copies them.
    let raw = unsafe { open(client.as_ptr(), options, &mut status, server.as_ptr()) };
    if raw.is_null() {
        return Err(format!("no JACK server answered (status {status:#x})"));
    }
    // SAFETY: a live client from `jack_client_open`, owned from here on (closed on drop).
    Ok(unsafe { jack::Client::from_raw(raw) })
}

impl Capture {
    /// Connects to `server`, retrying while it starts up.
    pub fn open(server: &mut Server) -> Result<Capture, String> {
        // libjack prints every failed attempt while the server starts; the
        // last one's status is reported instead.
        jack::set_logger(jack::LoggerType::None);
        let deadline = Instant::now() + Duration::from_secs(10);
        let client = loop {
            match open(&server.name, "mixc-capture") {
                Ok(c) => break c,
                Err(e) if Instant::now() > deadline || server.exited() => return Err(e),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        };
        if client.sample_rate() != RATE {
            return Err(format!("the server runs at {} Hz, not {RATE}", client.sample_rate()));
        }
        let left = client.register_port("in_1", jack::AudioIn::default()).map_err(|e| e.to_string())?;
        let right = client.register_port("in_2", jack::AudioIn::default()).map_err(|e| e.to_string())?;
        let ports = [left.name().map_err(|e| e.to_string())?, right.name().map_err(|e| e.to_string())?];
        // A minute of stereo: more than any test records.
        let (mut samples_tx, samples): (Producer<f32>, _) = RingBuffer::new(RATE as usize * 2 * 60);
        let (mut periods_tx, periods): (Producer<Period>, _) = RingBuffer::new(RATE as usize * 60 / PERIOD as usize);
        let mut first = 0u64;
        let process: Process = Box::new(move |_, ps| {
            let _ = periods_tx.push(Period { first, arrived: Instant::now() });
            for (l, r) in left.as_slice(ps).iter().zip(right.as_slice(ps)) {
                let _ = samples_tx.push(*l);
                let _ = samples_tx.push(*r);
            }
            first += ps.n_frames() as u64;
            jack::Control::Continue
        });
        let client =
            client.activate_async((), jack::contrib::ClosureProcessHandler::new(process)).map_err(|e| e.to_string())?;
        Ok(Capture { client, samples, periods, ports, recorded: Vec::new(), stamps: Vec::new() })
    }

    /// Connects the audio outputs whose names contain `pattern` to the inputs, in name order.
    pub fn connect(&self, pattern: &str) -> Result<(), String> {
        let client = self.client.as_client();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut outputs = loop {
            let found: Vec<String> = client
                .ports(Some(pattern), Some("audio"), jack::PortFlags::IS_OUTPUT)
                .into_iter()
                .filter(|p| !p.starts_with("system:"))
                .collect();
            if found.len() >= 2 {
                break found;
            }
            if Instant::now() > deadline {
                return Err(format!("no two outputs matching `{pattern}`: {found:?}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        outputs.sort();
        for (from, to) in outputs.iter().zip(&self.ports) {
            client.connect_ports_by_name(from, to).map_err(|e| format!("connect {from} → {to}: {e}"))?;
        }
        Ok(())
    }

    /// Moves what arrived since the last call into `recorded` and `stamps`.
    pub fn drain(&mut self) {
        while let Ok(x) = self.samples.pop() {
            self.recorded.push(x);
        }
        while let Ok(p) = self.periods.pop() {
            self.stamps.push(p);
        }
    }

    /// Frames recorded so far.
    pub fn frames(&mut self) -> u64 {
        self.drain();
        self.recorded.len() as u64 / 2
    }

    /// The moment the period holding recorded frame `k` arrived.
    pub fn arrival(&self, k: u64) -> Option<Instant> {
        self.stamps.iter().rev().find(|p| p.first <= k).map(|p| p.arrived)
    }

    /// The frame being recorded at `moment`.
    pub fn frame_at(&self, moment: Instant) -> Option<u64> {
        self.stamps.iter().rev().find(|p| p.arrived <= moment).map(|p| p.first)
    }

    /// The left channel recorded so far.
    pub fn left(&self) -> Vec<f32> {
        self.recorded.chunks_exact(2).map(|f| f[0]).collect()
    }

    pub fn right(&self) -> Vec<f32> {
        self.recorded.chunks_exact(2).map(|f| f[1]).collect()
    }
}
