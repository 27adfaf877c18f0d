//! A token bucket per client address, so join codes cannot be enumerated.

use std::net::{IpAddr, Ipv6Addr};
use std::time::Duration;

use dashmap::DashMap;
use tokio::time::Instant;

/// The address a limit counts against: IPv4 as is, IPv6 per /64. One host gets a whole /64
/// from its provider and can rotate through it at will; counting single IPv6 addresses would
/// make every per-address limit 2^64 times larger for it.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
    }
}

pub struct RateLimiter {
    buckets: DashMap<IpAddr, Bucket>,
    capacity: f64,
    per_second: f64,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Above this many tracked addresses, full buckets are forgotten.
const PRUNE_ABOVE: usize = 10_000;

impl RateLimiter {
    pub fn per_minute(limit: u32) -> Self {
        let capacity = f64::from(limit.max(1));
        Self {
            buckets: DashMap::new(),
            capacity,
            per_second: capacity / 60.0,
        }
    }

    /// Takes one token for `ip` (its [`address_key`]); on refusal, says how long until the
    /// next one.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        let ip = address_key(ip);
        let now = Instant::now();
        if self.buckets.len() > PRUNE_ABOVE {
            self.prune(now);
        }
        let mut bucket = self.buckets.entry(ip).or_insert(Bucket {
            tokens: self.capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / self.per_second,
            ))
        }
    }

    /// Whether `ip` has no token left now, without taking one: for refusing early what would
    /// only cost a token if it failed.
    pub fn exhausted(&self, ip: IpAddr) -> bool {
        let Some(bucket) = self.buckets.get(&address_key(ip)) else {
            return false;
        };
        let elapsed = Instant::now().duration_since(bucket.updated).as_secs_f64();
        bucket.tokens + elapsed * self.per_second < 1.0
    }

    fn prune(&self, now: Instant) {
        let full_after = self.capacity / self.per_second;
        self.buckets
            .retain(|_, b| now.duration_since(b.updated).as_secs_f64() < full_after);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn refuses_after_the_burst_and_refills() {
        let limiter = RateLimiter::per_minute(3);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(ip).is_ok());
        }
        let wait = limiter.check(ip).unwrap_err();
        assert!(wait <= Duration::from_secs(20));
        assert!(
            limiter.check("127.0.0.2".parse().unwrap()).is_ok(),
            "others are unaffected"
        );
        tokio::time::advance(Duration::from_secs(20)).await;
        assert!(limiter.check(ip).is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn one_ipv6_slash_64_is_one_address() {
        let limiter = RateLimiter::per_minute(2);
        assert!(limiter.check("2001:db8:1:2::1".parse().unwrap()).is_ok());
        assert!(
            limiter
                .check("2001:db8:1:2:ffff::9".parse().unwrap())
                .is_ok()
        );
        assert!(
            limiter
                .check("2001:db8:1:2:abcd::1".parse().unwrap())
                .is_err(),
            "rotating within the /64 shares the bucket"
        );
        assert!(limiter.check("2001:db8:1:3::1".parse().unwrap()).is_ok());
    }

    #[test]
    fn ipv4_mapped_addresses_count_as_ipv4() {
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(address_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }
}
