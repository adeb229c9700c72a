//! Polling intervals: start fast, slow down geometrically, add jitter so
//! parallel pipelines do not poll in lockstep, and stay well under the EB
//! API's ~2 requests/second limit per account.

use std::time::Duration;

/// Bounds for polling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollSettings {
    /// First interval.
    pub min: Duration,
    /// Largest interval.
    pub max: Duration,
}

impl Default for PollSettings {
    fn default() -> Self {
        Self {
            min: Duration::from_secs(3),
            max: Duration::from_secs(20),
        }
    }
}

/// An adaptive interval generator.
#[derive(Debug, Clone)]
pub(crate) struct Poller {
    settings: PollSettings,
    current: Duration,
    seed: u64,
}

impl Poller {
    pub(crate) fn new(settings: PollSettings) -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9E37_79B9, |d| u64::from(d.subsec_nanos()) | 1);
        Self {
            settings,
            current: settings.min,
            seed,
        }
    }

    /// Back to the fastest interval (something changed).
    pub(crate) fn reset(&mut self) {
        self.current = self.settings.min;
    }

    /// The next interval: the current one ±20 %, then grow by half.
    pub(crate) fn next_interval(&mut self) -> Duration {
        // xorshift64: cheap, good enough for jitter.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        #[allow(clippy::cast_precision_loss)]
        let unit = (self.seed % 1000) as f64 / 1000.0;
        let jittered = self.current.mul_f64(0.8 + 0.4 * unit);
        self.current = self.current.mul_f64(1.5).min(self.settings.max);
        jittered
            .min(self.settings.max)
            .max(Duration::from_millis(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_the_cap_with_jitter() {
        let s = PollSettings {
            min: Duration::from_secs(2),
            max: Duration::from_secs(10),
        };
        let mut p = Poller::new(s);
        let first = p.next_interval();
        assert!(first >= Duration::from_millis(1600) && first <= Duration::from_millis(2400));
        for _ in 0..20 {
            assert!(p.next_interval() <= s.max);
        }
        assert_eq!(p.current, s.max);
        p.reset();
        assert_eq!(p.current, s.min);
    }
}
