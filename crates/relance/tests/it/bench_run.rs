//! `relance bench run` and `relance bench match` end to end at a tiny size: the run completes, its
//! same-day re-run writes nothing and its SQL references decide as Relance does; matching applies
//! no wrong match. No timing is asserted.

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
    // Every reference that ran decided, each day, as many actions as Relance.
    let compared: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains(" actions   relance "))
        .collect();
    for line in &compared {
        let counts: Vec<&str> = line
            .split(" actions")
            .filter_map(|part| part.split_whitespace().last())
            .take(2)
            .collect();
        assert_eq!(counts[0], counts[1], "{line}");
    }
    let duckdb_installed = Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .is_ok_and(|output| output.status.success());
    if duckdb_installed {
        assert!(stdout.contains("\n  DuckDB\n"), "{stdout}");
        assert_eq!(
            compared.len(),
            6,
            "sqlite3 and DuckDB, three days each: {stdout}"
        );
    } else {
        assert!(stdout.contains("DuckDB: skipped"), "{stdout}");
    }
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
