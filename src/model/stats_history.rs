//! The last few minutes of each running machine's statistics, for the overview graphs.
//! Filled from the backend's one bulk statistics call (every 2 s); nothing is polled here.

use std::collections::{HashMap, VecDeque};

use crate::backend::DomainStats;

/// How many samples are kept: 3 minutes at one every 2 seconds.
pub const KEEP: usize = 90;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sample {
    pub cpu_percent: f64,
    pub memory_kib: u64,
    pub disk_read_bps: f64,
    pub disk_write_bps: f64,
    pub net_rx_bps: f64,
    pub net_tx_bps: f64,
}

#[derive(Debug, Default)]
pub struct StatsHistory {
    machines: HashMap<String, VecDeque<Sample>>,
}

impl StatsHistory {
    pub fn push(&mut self, stats: &[DomainStats]) {
        for s in stats {
            let q = self.machines.entry(s.uuid.clone()).or_default();
            if q.len() == KEEP {
                q.pop_front();
            }
            q.push_back(Sample {
                cpu_percent: s.cpu_percent.unwrap_or(0.0),
                memory_kib: s.memory_kib.unwrap_or(0),
                disk_read_bps: s.disk_read_bps.unwrap_or(0.0),
                disk_write_bps: s.disk_write_bps.unwrap_or(0.0),
                net_rx_bps: s.net_rx_bps.unwrap_or(0.0),
                net_tx_bps: s.net_tx_bps.unwrap_or(0.0),
            });
        }
    }

    pub fn get(&self, uuid: &str) -> Vec<Sample> {
        self.machines
            .get(uuid)
            .map(|q| q.iter().copied().collect())
            .unwrap_or_default()
    }

    /// A machine stopped or went away: its graph starts afresh next time.
    pub fn forget(&mut self, uuid: &str) {
        self.machines.remove(uuid);
    }

    pub fn clear(&mut self) {
        self.machines.clear();
    }

    /// A complete list arrived (after a reconnect): machines not in it went away while
    /// no event could say so (found by `build-aux/soak`), and their graphs with them.
    pub fn keep_only(&mut self, listed: &std::collections::HashSet<String>) {
        self.machines.retain(|uuid, _| listed.contains(uuid));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_samples() {
        let mut h = StatsHistory::default();
        for i in 0..(KEEP + 10) {
            h.push(&[DomainStats {
                uuid: "u".into(),
                cpu_percent: Some(i as f64),
                memory_kib: Some(1),
                disk_read_bps: None,
                disk_write_bps: None,
                net_rx_bps: None,
                net_tx_bps: None,
            }]);
        }
        let s = h.get("u");
        assert_eq!(s.len(), KEEP);
        assert_eq!(s[0].cpu_percent, 10.0);

        // A reconnect's list without "u": it went away unannounced; its graph goes too.
        h.keep_only(&["v".to_string()].into());
        assert!(h.get("u").is_empty());
    }
}
