//! Deterministic simulation of one session's core: many clients, random edits and commands,
//! clock jumps, disconnects and reconnects, slow clients, store failures and crash-and-reload
//! from the store, all from one seed. After every step the invariants are checked; at the end
//! every replica must equal the core's document.
//!
//! `cargo test -p werkplaats-server sim` runs 1,000 seeds (`SIM_SEEDS=n` for more, from
//! `SIM_SEED_BASE`); a failure prints its seed, and `SIM_SEED=s` replays that one alone.
//! `scripts/sim-long.sh` runs many more in release mode.

mod checks;
mod client;
mod driver;
mod rng;
mod store;

use std::panic::{AssertUnwindSafe, catch_unwind};

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn simulated_sessions_converge_and_keep_their_invariants() {
    let steps = env_u64("SIM_STEPS").unwrap_or(120) as usize;
    let seeds: Vec<u64> = match env_u64("SIM_SEED") {
        Some(seed) => vec![seed],
        None => {
            let base = env_u64("SIM_SEED_BASE").unwrap_or(0);
            (base..base + env_u64("SIM_SEEDS").unwrap_or(1_000)).collect()
        }
    };
    for seed in seeds {
        let run = catch_unwind(AssertUnwindSafe(|| driver::Sim::run(seed, steps)));
        if let Err(panic) = run {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            panic!(
                "simulation failed for seed {seed}: {message}\nreplay: SIM_SEED={seed} SIM_STEPS={steps} \
                 cargo test -p werkplaats-server simulated_sessions"
            );
        }
    }
}
