//! Stage timings for the benchmarks: with `HUIZONG_TIMING=1` in the environment, each stage
//! of a run prints its wall time to standard error when it ends ("耗时 读取 1.234 秒").
//! Without it nothing is measured or printed.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("HUIZONG_TIMING").is_some_and(|v| !v.is_empty() && v != "0"))
}

/// A running stage; prints its time when dropped.
pub struct Stage {
    label: &'static str,
    start: Option<Instant>,
}

/// Starts timing `label` (a Chinese stage name).
pub fn stage(label: &'static str) -> Stage {
    Stage { label, start: enabled().then(Instant::now) }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(start) = self.start {
            eprintln!("耗时 {} {:.3} 秒（内存峰值 {} MB）", self.label, start.elapsed().as_secs_f64(), peak_mb());
        }
    }
}

/// The process's peak resident memory so far in MB (Linux; 0 elsewhere).
fn peak_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
