//! What the benchmarks share: a work directory, reference tools fed a script on standard input,
//! and the machine's load and the process's memory, read from Linux's `/proc`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Progress lines are flushed at once: a benchmark runs for minutes.
pub(crate) fn say(text: impl AsRef<str>) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", text.as_ref())?;
    stdout.flush()?;
    Ok(())
}

/// The directory the generated files and databases go to: the one given, or a temporary one
/// removed when this value is dropped.
pub(crate) struct WorkDir {
    path: PathBuf,
    _temporary: Option<tempfile::TempDir>,
}

impl WorkDir {
    pub(crate) fn new(given: Option<&PathBuf>) -> anyhow::Result<WorkDir> {
        match given {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                Ok(WorkDir {
                    path: dir.clone(),
                    _temporary: None,
                })
            }
            None => {
                let temporary =
                    tempfile::tempdir().context("cannot create a temporary directory")?;
                Ok(WorkDir {
                    path: temporary.path().to_owned(),
                    _temporary: Some(temporary),
                })
            }
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// The one-minute load average: figures taken on a busy machine are not comparable.
pub(crate) fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

pub(crate) fn noisy_note(load: f64) -> &'static str {
    if load > 1.5 {
        " (noisy: figures are not comparable)"
    } else {
        ""
    }
}

pub(crate) fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Runs a reference tool with `script` on its standard input; its standard output and how long
/// it took. sqlite3 reading a script goes on after an error, so its error text fails the run too.
pub(crate) fn run_script(
    command: &mut Command,
    script: &str,
) -> anyhow::Result<(String, Duration)> {
    let started = Instant::now();
    let output = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(script.as_bytes())?;
            }
            child.wait_with_output()
        })
        .context("cannot run the reference tool")?;
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() || stderr.contains("Error") || stderr.contains("ERROR") {
        bail!("the reference script failed: {stderr}");
    }
    Ok((
        String::from_utf8_lossy(&output.stdout).into_owned(),
        elapsed,
    ))
}

/// Resets the process's peak resident set size to the current one (Linux `clear_refs` 5), so
/// that the next peak is the next job's own.
pub(crate) fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

pub(crate) fn peak_rss_mib() -> u64 {
    status_mib("VmHWM:")
}

pub(crate) fn rss_mib() -> u64 {
    status_mib("VmRSS:")
}

/// A memory figure of `/proc/self/status`, in MiB (0 where there is none).
fn status_mib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with(field))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}
