//! `on_error = conceal`: for damaged archives, audio that cannot be read is
//! replaced by silence of the same length (so everything after it stays in
//! time) and every replacement is counted, to be reported after the render.
//! Strict decoding, the default, stops at the first damage instead.

/// What was concealed in one file, with the file's rate for positions.
#[derive(Debug, Clone, PartialEq)]
pub struct ConcealedIn {
    pub path: std::path::PathBuf,
    pub rate: u32,
    pub what: Concealed,
}

/// What a decoder replaced, over the whole file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Concealed {
    /// Damaged stretches replaced with silence.
    pub regions: u64,
    /// Frames of silence put in their place.
    pub frames: u64,
    /// Unplayable samples (NaN, infinite, past +60 dBFS) set to zero.
    pub samples: u64,
    /// The first damage: where (a frame of the file) and what.
    pub first: Option<(u64, String)>,
}

impl Concealed {
    /// `frames` of silence in place of damage at `at`.
    pub fn gap(&mut self, at: u64, frames: u64, why: impl Into<String>) {
        self.regions += 1;
        self.frames += frames;
        self.first.get_or_insert_with(|| (at, why.into()));
    }

    /// `count` unplayable samples zeroed, the first at `at`.
    pub fn zeroed(&mut self, at: u64, count: u64, why: impl Into<String>) {
        self.samples += count;
        self.first.get_or_insert_with(|| (at, why.into()));
    }

    /// Adds what another part of the decoder replaced.
    pub fn merge(&mut self, other: &Concealed) {
        self.regions += other.regions;
        self.frames += other.frames;
        self.samples += other.samples;
        if let Some((at, why)) = &other.first {
            if self.first.as_ref().is_none_or(|(mine, _)| at < mine) {
                self.first = Some((*at, why.clone()));
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.regions == 0 && self.samples == 0
    }

    /// What was replaced, for a warning: "0.192 s with silence in 2 places
    /// and 3 unplayable samples with zero; the first at 0:01.000 (frame 48000): …".
    pub fn describe(&self, rate: u32) -> String {
        let mut parts = Vec::new();
        if self.regions > 0 {
            let seconds = self.frames as f64 / f64::from(rate.max(1));
            let places = if self.regions == 1 { "1 place".to_string() } else { format!("{} places", self.regions) };
            parts.push(format!("{seconds:.3} s with silence in {places}"));
        }
        if self.samples > 0 {
            let plural = if self.samples == 1 { "" } else { "s" };
            parts.push(format!("{} unplayable sample{plural} with zero", self.samples));
        }
        let first = self
            .first
            .as_ref()
            .map(|(at, why)| format!("; the first at {}: {why}", super::position(*at, rate)))
            .unwrap_or_default();
        format!("{}{first}", parts.join(" and "))
    }
}

#[cfg(test)]
mod tests {
    use super::Concealed;

    #[test]
    fn the_description_counts_what_was_replaced() {
        let mut c = Concealed::default();
        assert!(c.is_empty());
        c.gap(48_000, 4_608, "a FLAC frame is corrupt");
        c.gap(96_000, 4_608, "a FLAC frame is corrupt");
        c.zeroed(100_000, 3, "NaN");
        assert_eq!(
            c.describe(48_000),
            "0.192 s with silence in 2 places and 3 unplayable samples with zero; \
             the first at 0:01.000 (frame 48000): a FLAC frame is corrupt"
        );
    }
}
