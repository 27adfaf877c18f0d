//! A cap per client address on connections that have not yet sent a whole request.
//!
//! The connection limit is shared by everyone, so without this one address could hold every
//! slot with sockets that never finish a request line (slowloris) and take `/healthz` and
//! every session down. The header-read timeout frees such a socket after a few seconds; this
//! cap keeps one address from holding more than its share of them meanwhile. A connection
//! stops counting once its first request's headers have arrived: what happens next is the
//! handlers' business (a websocket must then speak within its own deadline).

use std::net::IpAddr;
use std::sync::Arc;

use dashmap::DashMap;

use crate::rate_limit::address_key;

pub struct PendingPerAddress {
    counts: DashMap<IpAddr, u32>,
    max: u32,
}

/// One pending connection's place in its address's count, given back on drop.
pub struct PendingSlot {
    owner: Arc<PendingPerAddress>,
    key: IpAddr,
}

impl PendingPerAddress {
    pub fn new(max: u32) -> Arc<Self> {
        Arc::new(Self {
            counts: DashMap::new(),
            max,
        })
    }

    /// A slot for a new connection from `ip`, or `None` when its address is at the cap.
    pub fn try_take(self: &Arc<Self>, ip: IpAddr) -> Option<PendingSlot> {
        let key = address_key(ip);
        let mut count = self.counts.entry(key).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(PendingSlot {
            owner: Arc::clone(self),
            key,
        })
    }

    /// Connections of `ip`'s address that are pending now.
    pub fn pending(&self, ip: IpAddr) -> u32 {
        self.counts.get(&address_key(ip)).map_or(0, |count| *count)
    }
}

impl Drop for PendingSlot {
    fn drop(&mut self) {
        // Removed at zero, so the map holds only addresses with pending connections.
        self.owner.counts.remove_if_mut(&self.key, |_, count| {
            *count -= 1;
            *count == 0
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_at_most_its_cap_and_slots_come_back() {
        let pending = PendingPerAddress::new(2);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let first = pending.try_take(ip).unwrap();
        let _second = pending.try_take(ip).unwrap();
        assert!(pending.try_take(ip).is_none());
        assert!(pending.try_take("192.0.2.2".parse().unwrap()).is_some());
        drop(first);
        assert_eq!(pending.pending(ip), 1);
        assert!(pending.try_take(ip).is_some());
    }

    #[test]
    fn the_map_forgets_an_address_with_nothing_pending() {
        let pending = PendingPerAddress::new(4);
        let ip: IpAddr = "2001:db8::1".parse().unwrap();
        drop(pending.try_take(ip).unwrap());
        assert!(pending.counts.is_empty());
    }
}
