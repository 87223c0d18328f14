//! `relance bench run` end to end at a tiny size: it completes, and the same-day re-run writes
//! nothing. No timing is asserted.

use std::process::Command;

#[test]
fn bench_run_completes_and_the_same_day_rerun_writes_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_relance"))
        .args(["bench", "run", "--customers", "50", "--invoices", "400"])
        .arg("--work-dir")
        .arg(directory.path())
        .env_remove("RELANCE_BENCH_POSTGRES_URL")
        .env_remove("RELANCE_DATABASE_URL")
        .output()
        .expect("the relance binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("rows written by the same-day re-run: 0\n"),
        "{stdout}"
    );
    assert!(stdout.contains("PostgreSQL: skipped"), "{stdout}");
}
