//! Memory and CPU of a process, read from `/proc` (Linux).

use std::time::Instant;

/// Clock ticks per second of `/proc/*/stat` (`getconf CLK_TCK`; 100 on every Linux we run).
const TICKS_PER_SEC: f64 = 100.0;

/// Resident set size in KiB (`VmRSS` of `/proc/PID/status`).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// User plus system CPU seconds the process has used (all its threads).
pub fn cpu_secs(pid: Option<u32>) -> Option<f64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / TICKS_PER_SEC)
}

/// CPU nanoseconds the threads of a process now alive have run (`/proc/PID/task/*/schedstat`):
/// nanosecond resolution, where `/proc/PID/stat` counts in 10 ms ticks.
pub fn cpu_ns(pid: Option<u32>) -> Option<u64> {
    let dir = match pid {
        Some(pid) => format!("/proc/{pid}/task"),
        None => "/proc/self/task".to_owned(),
    };
    let mut total = 0;
    for task in std::fs::read_dir(dir).ok()? {
        let path = task.ok()?.path().join("schedstat");
        if let Ok(text) = std::fs::read_to_string(path) {
            total += text
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Some(total)
}

/// CPU use of a process over a window, as a fraction of one core.
pub struct CpuMeter {
    pid: Option<u32>,
    start_ns: Option<u64>,
    start: Instant,
}

impl CpuMeter {
    /// `None` measures this process.
    pub fn start(pid: Option<u32>) -> Self {
        Self {
            pid,
            start_ns: cpu_ns(pid),
            start: Instant::now(),
        }
    }

    pub fn cores(&self) -> Option<f64> {
        let used = self.used_secs()?;
        let wall = self.start.elapsed().as_secs_f64();
        (wall > 0.0).then(|| used / wall)
    }

    /// CPU seconds used since the start (its threads now alive, user and system).
    pub fn used_secs(&self) -> Option<f64> {
        Some(cpu_ns(self.pid)?.checked_sub(self.start_ns?)? as f64 / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_our_own_process() {
        assert!(rss_kib(std::process::id()).unwrap() > 0);
        assert!(cpu_secs(None).unwrap() >= 0.0);
        let meter = CpuMeter::start(None);
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = x.wrapping_add(i * i);
        }
        assert!(x > 0);
        assert!(meter.cores().unwrap() > 0.1);
    }
}
