"""The daily run's SQL reference in DuckDB, for `relance bench run`.

Usage: python3 bench_run_duckdb.py DATABASE < script.sql

Runs the statements read from standard input, one at a time, in the DuckDB database file
DATABASE (created if missing), and prints one line: the first column of the last `SELECT`'s
first row (the number of actions the script decided, or 0), then the seconds the statements
took inside DuckDB (without starting Python, importing duckdb or opening the file).
"""

import sys
import time

import duckdb


def main() -> None:
    database = sys.argv[1]
    statements = [s.strip() for s in sys.stdin.read().split(";\n") if s.strip()]
    connection = duckdb.connect(database)
    returned = 0
    started = time.perf_counter()
    for statement in statements:
        result = connection.execute(statement)
        if statement.upper().startswith("SELECT"):
            row = result.fetchone()
            if row is not None:
                returned = row[0]
    elapsed = time.perf_counter() - started
    connection.close()
    print(f"{returned} {elapsed:.6f}")


if __name__ == "__main__":
    main()
