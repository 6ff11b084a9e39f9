//! Rate limits, kept in this process's memory (each server process limits on its own):
//! sign-in attempts per client address, and requests per credential or address.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub struct Limiters {
    sign_in: DefaultKeyedRateLimiter<IpAddr>,
    requests: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl Limiters {
    pub fn new(sign_in_per_minute: u32, requests_per_second: u32) -> Limiters {
        Limiters {
            sign_in: RateLimiter::keyed(Quota::per_minute(nonzero(sign_in_per_minute))),
            requests: RateLimiter::keyed(
                Quota::per_second(nonzero(requests_per_second))
                    .allow_burst(nonzero(requests_per_second.saturating_mul(2))),
            ),
            clock: DefaultClock::default(),
        }
    }

    /// `Err(seconds to wait)` when `ip` has used up its sign-in attempts.
    pub fn check_sign_in(&self, ip: IpAddr) -> Result<(), u64> {
        self.sign_in.check_key(&ip).map_err(|not_until| not_until.wait_time_from(self.clock.now()).as_secs().max(1))
    }

    /// `Err(seconds to wait)` when `key` has used up its request budget.
    pub fn check_request(&self, key: &str) -> Result<(), u64> {
        if let Err(not_until) = self.requests.check_key(&key.to_owned()) {
            return Err(not_until.wait_time_from(self.clock.now()).as_secs().max(1));
        }
        Ok(())
    }

    /// Forgets idle keys so memory stays bounded.
    pub fn tidy(&self) {
        self.sign_in.retain_recent();
        self.requests.retain_recent();
        self.sign_in.shrink_to_fit();
        self.requests.shrink_to_fit();
    }
}
