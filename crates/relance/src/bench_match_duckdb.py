"""The SQL reference of `relance bench match`: the same bank credits matched by a pipeline
in SQL, run by DuckDB (PyPI package `duckdb`).

Reads `invoices.csv` (number, customer, name, rf, outstanding) and `lines.csv` (line, amount,
payer, remittance, rf) from the directory given, writes `duckdb_matches.csv` (line, applied,
invoices joined by `|`) and prints `load_seconds` and `match_seconds`.

The pipeline, in order of trust (a line takes the first stage that answers):
1. invoice numbers found in the remittance text: the text is cut into runs of letters and
   digits, one to four consecutive runs are joined, and each is compared with the invoices'
   numbers in a canonical form (upper case, letters and digits only, a leading prefix of
   letters dropped, O read as 0 and I, L as 1, leading zeros dropped). Applied when every
   invoice found is one customer's.
2. the customer's RF creditor reference: its one open invoice of exactly the amount, or all
   its open invoices when they add up to it. Applied.
3. the amount and the payer's name: the open invoices of exactly the amount whose customer's
   name is closest to the payer's (Jaro-Winkler >= 0.92, alone at the top). Applied.
4. the amount alone: a suggestion when one open invoice has it, never applied.
"""

import sys
import time

import duckdb

CANON = r"""
CREATE MACRO canon(s) AS
  ltrim(
    replace(replace(replace(
      regexp_replace(regexp_replace(upper(s), '[^A-Z0-9]', '', 'g'), '^[A-Z]+', ''),
    'O', '0'), 'I', '1'), 'L', '1'),
  '0')
"""

PIPELINE = r"""
CREATE TABLE inv_keys AS
  SELECT number, customer, name, rf, outstanding, canon(number) AS key FROM invoices;

CREATE TABLE tokens AS
  SELECT line, regexp_extract_all(upper(remittance), '[A-Z0-9]+') AS toks FROM lines;

CREATE TABLE candidates AS
  SELECT DISTINCT t.line, canon(array_to_string(t.toks[i:i + k - 1], '')) AS key
  FROM tokens t, range(1, 5) AS ks(k), LATERAL range(1, len(t.toks) + 2 - k) AS starts(i)
  WHERE len(t.toks) >= k;

CREATE TABLE by_number AS
  SELECT c.line, i.number, i.customer
  FROM candidates c JOIN inv_keys i ON i.key = c.key
  WHERE length(c.key) >= 3;

CREATE TABLE stage_number AS
  SELECT line, count(DISTINCT customer) = 1 AS applied, string_agg(number, '|' ORDER BY number) AS invoices
  FROM by_number GROUP BY line;

CREATE TABLE rf_customer AS
  SELECT l.line, l.amount, i.number, i.outstanding, i.customer
  FROM lines l JOIN inv_keys i ON i.rf = l.rf
  WHERE l.rf IS NOT NULL AND l.rf <> '' AND l.line NOT IN (SELECT line FROM stage_number);

CREATE TABLE stage_rf AS
  WITH exact AS (
    SELECT line, min(number) AS number, count(*) AS n FROM rf_customer
    WHERE outstanding = amount GROUP BY line
  ), whole AS (
    SELECT line, string_agg(number, '|' ORDER BY number) AS invoices, sum(outstanding) AS total, any_value(amount) AS amount
    FROM rf_customer GROUP BY line
  )
  SELECT w.line, (e.n = 1 OR w.total = w.amount) AS applied,
         CASE WHEN e.n = 1 THEN e.number WHEN w.total = w.amount THEN w.invoices END AS invoices
  FROM whole w LEFT JOIN exact e USING (line)
  WHERE e.n = 1 OR w.total = w.amount;

CREATE TABLE rest AS
  SELECT * FROM lines
  WHERE line NOT IN (SELECT line FROM stage_number) AND line NOT IN (SELECT line FROM stage_rf);

CREATE TABLE named AS
  SELECT r.line, i.number, jaro_winkler_similarity(upper(r.payer), upper(i.name)) AS similarity
  FROM rest r JOIN inv_keys i ON i.outstanding = r.amount
  WHERE r.payer IS NOT NULL AND r.payer <> '';

CREATE TABLE stage_name AS
  WITH ranked AS (
    SELECT line, number, similarity,
           row_number() OVER (PARTITION BY line ORDER BY similarity DESC, number) AS rank,
           lead(similarity) OVER (PARTITION BY line ORDER BY similarity DESC, number) AS next
    FROM named
  )
  SELECT line, true AS applied, number AS invoices FROM ranked
  WHERE rank = 1 AND similarity >= 0.92 AND (next IS NULL OR similarity - next >= 0.03);

CREATE TABLE stage_amount AS
  SELECT r.line, false AS applied, min(i.number) AS invoices
  FROM rest r JOIN inv_keys i ON i.outstanding = r.amount
  WHERE r.line NOT IN (SELECT line FROM stage_name)
  GROUP BY r.line HAVING count(*) = 1;

CREATE TABLE matches AS
  SELECT * FROM stage_number UNION ALL SELECT * FROM stage_rf
  UNION ALL SELECT * FROM stage_name UNION ALL SELECT * FROM stage_amount;
"""


def read(connection, table, directory, columns):
    connection.execute(
        f"CREATE TABLE {table} AS SELECT * FROM read_csv('{directory}/{table}.csv', header = true, "
        f"delim = ',', quote = '\"', escape = '\"', columns = {columns})"
    )


def main(directory):
    connection = duckdb.connect()
    started = time.perf_counter()
    read(connection, "invoices", directory, "{'number': 'VARCHAR', 'customer': 'VARCHAR', 'name': 'VARCHAR', 'rf': 'VARCHAR', 'outstanding': 'BIGINT'}")
    read(connection, "lines", directory, "{'line': 'BIGINT', 'amount': 'BIGINT', 'payer': 'VARCHAR', 'remittance': 'VARCHAR', 'rf': 'VARCHAR'}")
    loaded = time.perf_counter()
    connection.execute(CANON)
    connection.execute(PIPELINE)
    matched = time.perf_counter()
    connection.execute(
        f"COPY (SELECT line, applied, invoices FROM matches ORDER BY line) TO '{directory}/duckdb_matches.csv' (HEADER)"
    )
    print(f"load_seconds {loaded - started:.3f}")
    print(f"match_seconds {matched - loaded:.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
