//! A/B: the latest good render and the one before it, which of the two is
//! playing, and the gains that level-match them by integrated loudness.

use std::sync::Arc;

use super::version::Version;

/// Which render is heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The latest good render.
    A,
    /// The render before it.
    B,
}

/// The two renders A/B switches between.
#[derive(Debug, Default)]
pub struct Deck {
    latest: Option<(Arc<Version>, Option<f64>)>,
    previous: Option<(Arc<Version>, Option<f64>)>,
    pub side: Option<Side>,
    /// Level-match on: the louder of the two is turned down to the quieter.
    pub matched: bool,
}

impl Deck {
    /// A new render becomes A; the old A becomes B. Returns what to play now (A).
    pub fn push(&mut self, version: Arc<Version>) -> (Arc<Version>, f32) {
        self.previous = self.latest.take();
        self.latest = Some((version, None));
        self.side = Some(Side::A);
        self.current()
    }

    /// Records a version's integrated loudness once it has been measured.
    pub fn set_loudness(&mut self, id: u32, lufs: Option<f64>) {
        for (v, l) in [&mut self.latest, &mut self.previous].into_iter().flatten() {
            if v.id == id {
                *l = lufs;
            }
        }
    }

    /// Selects a side; `None` when there is nothing there yet.
    pub fn select(&mut self, side: Side) -> Option<(Arc<Version>, f32)> {
        self.slot(side)?;
        self.side = Some(side);
        Some(self.current())
    }

    /// Toggles level matching; returns the playing version at its new gain.
    pub fn toggle_match(&mut self) -> Option<(Arc<Version>, f32)> {
        self.matched = !self.matched;
        self.side?;
        Some(self.current())
    }

    /// The version playing and its gain (linear).
    ///
    /// # Panics
    /// Before the first [`Deck::push`].
    pub fn current(&self) -> (Arc<Version>, f32) {
        let side = self.side.unwrap_or(Side::A);
        let (v, _) = self.slot(side).or(self.latest.as_ref()).expect("a version was pushed");
        (Arc::clone(v), db_to_gain(self.gain_db(side)))
    }

    /// The level-match gain of `side` in dB (0 when off or unmeasured).
    pub fn gain_db(&self, side: Side) -> f64 {
        let loudness = |s| self.slot(s).and_then(|(_, l)| *l);
        match (self.matched, loudness(Side::A), loudness(Side::B)) {
            (true, Some(a), Some(b)) => a.min(b) - if side == Side::A { a } else { b },
            _ => 0.0,
        }
    }

    /// The id of the version on `side`.
    pub fn id(&self, side: Side) -> Option<u32> {
        self.slot(side).map(|(v, _)| v.id)
    }

    fn slot(&self, side: Side) -> Option<&(Arc<Version>, Option<f64>)> {
        match side {
            Side::A => self.latest.as_ref(),
            Side::B => self.previous.as_ref(),
        }
    }
}

fn db_to_gain(db: f64) -> f32 {
    10f64.powf(db / 20.0) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(id: u32) -> Arc<Version> {
        Arc::new(Version::from_planar(id, 48_000, vec![0.0; 4], vec![0.0; 4]))
    }

    #[test]
    fn a_new_render_is_a_and_the_one_before_becomes_b() {
        let mut deck = Deck::default();
        assert!(deck.select(Side::A).is_none());
        deck.push(version(1));
        assert!(deck.select(Side::B).is_none(), "no B before the second render");
        deck.push(version(2));
        assert_eq!(deck.select(Side::B).map(|(v, _)| v.id), Some(1));
        // A new render while on B goes back to A: the edit is what you want to hear.
        let (v, _) = deck.push(version(3));
        assert_eq!((v.id, deck.side), (3, Some(Side::A)));
        assert_eq!(deck.id(Side::B), Some(2));
    }

    #[test]
    fn level_match_turns_the_louder_down_to_the_quieter() {
        let mut deck = Deck::default();
        deck.push(version(1));
        deck.push(version(2));
        deck.set_loudness(1, Some(-14.0));
        deck.set_loudness(2, Some(-10.5));
        assert_eq!(deck.gain_db(Side::A), 0.0, "off by default");
        let (v, gain) = deck.toggle_match().unwrap();
        assert_eq!(v.id, 2);
        assert!((20.0 * (gain as f64).log10() + 3.5).abs() < 1e-4);
        assert_eq!(deck.select(Side::B).unwrap().1, 1.0);
        deck.set_loudness(1, None);
        assert_eq!(deck.gain_db(Side::A), 0.0, "a silent render cannot be matched");
    }
}
