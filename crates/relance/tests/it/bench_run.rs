//! `relance bench run` and `relance bench match` end to end at a tiny size: the run completes and
//! its same-day re-run writes nothing; matching applies no wrong match. No timing is asserted.

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

#[test]
fn bench_match_completes_and_applies_no_wrong_match_on_a_small_portfolio() {
    let directory = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_relance"))
        .args(["bench", "match", "--lines", "300", "--invoices", "4000"])
        .arg("--work-dir")
        .arg(directory.path())
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
    let all = stdout
        .lines()
        .find(|line| line.trim_start().starts_with("all "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(all.contains("precision 100.00 %"), "{stdout}");
    assert!(stdout.contains("exact-reference hash join"), "{stdout}");
    assert!(!stdout.contains("wrong auto-applied"), "{stdout}");
}
