"""Times the four sample indicators of scripts/bench-scheme.yaml in DuckDB, on the
demo's CSV exports and on gwq's Parquet cache, for `make bench`, with gwq's semantics
(SPEC §7): fibre lines only; availability counts samples inside the line's active
dates and outside its planned outages; mean latency where reachable; linear p95 of
latency; share of samples with loss ≤ 1 % (no value = not held).

Usage: python3 scripts/duckdb_bench.py WORKSPACE START END [GWQ_SECONDS GWQ_SAMPLE_SECONDS
[GWQ_COLD_SECONDS]] (needs `pip install duckdb`). Prints one line per source: seconds
(median of 3), the four values and, given gwq's figures, gwq ÷ DuckDB: gwq from its
cache against DuckDB on Parquet (warm), gwq from an empty cache against DuckDB on the
CSV (cold).
"""
import statistics
import sys
import time

import duckdb

ws, start, end = sys.argv[1:4]
gwq = [float(x) for x in sys.argv[4:7]]
QUERY = """
WITH s AS (SELECT * FROM ({source}) WHERE time >= TIMESTAMP '{start}' AND time < TIMESTAMP '{end}' + INTERVAL 1 DAY),
inv AS (SELECT line_id, opened_on, closed_on FROM read_parquet('{ws}/.gwq/inventory/*.parquet')
        WHERE access_type = 'fiber'),
planned AS (SELECT line_id, "start" AS ws, coalesce("end", TIMESTAMP '{end}' + INTERVAL 1 DAY) AS we
            FROM read_parquet('{ws}/.gwq/outages/*.parquet') WHERE planned),
f AS (SELECT s.*, inv.opened_on, inv.closed_on FROM s JOIN inv USING (line_id)),
counted AS (
  SELECT f.reachable FROM f
  ANTI JOIN planned p ON p.line_id = f.line_id AND f.time >= p.ws AND f.time < p.we
  WHERE (f.opened_on IS NULL OR f.time >= f.opened_on)
    AND (f.closed_on IS NULL OR f.time < f.closed_on + INTERVAL 1 DAY))
SELECT
  (SELECT 100.0 * avg(CASE WHEN reachable THEN 1.0 ELSE 0.0 END) FROM counted) AS availability,
  avg(CASE WHEN reachable THEN latency_ms END) AS mean_latency,
  quantile_cont(latency_ms, 0.95) AS p95_latency,
  100.0 * avg(CASE WHEN loss_pct <= 1 THEN 1.0 ELSE 0.0 END) AS loss_le_1pct
FROM f
"""
CSV = (
    "SELECT try_cast(\"采集时间\" AS TIMESTAMP) AS time, \"线路编号\" AS line_id, try_cast(\"时延(ms)\" AS DOUBLE) AS latency_ms, "
    "try_cast(\"丢包率(%)\" AS DOUBLE) AS loss_pct, \"可达\" = '是' AS reachable "
    "FROM read_csv('{ws}/data/性能/*.csv', header=true, all_varchar=true, ignore_errors=true, "
    "encoding='utf-8', union_by_name=true)"
)
PARQUET = "SELECT time, line_id, latency_ms, loss_pct, reachable FROM read_parquet('{ws}/.gwq/samples/*.parquet')"

for name, source in [("parquet", PARQUET), ("csv", CSV)]:
    con = duckdb.connect()
    times, row = [], None
    for _ in range(3):
        began = time.perf_counter()
        try:
            query = QUERY.format(source=source.format(ws=ws), ws=ws, start=start, end=end)
            row = con.execute(query).fetchone()
        except duckdb.Error as e:  # the GBK month cannot be read as UTF-8 by DuckDB
            row = f"error: {str(e).splitlines()[0]}"
        times.append(time.perf_counter() - began)
    median = statistics.median(times)
    line = f"duckdb {name}: {median:.2f} s (median of 3) -> {row}"
    if name == "csv" and len(gwq) == 3:
        line += f"; cold gwq ÷ DuckDB: {gwq[2] / median:.2f} (gwq CSV -> result with an empty cache, audit included)"
    if name == "parquet" and len(gwq) >= 2:
        line += (
            f"; warm gwq ÷ DuckDB: {gwq[0] / median:.2f} for the whole `gwq score` (audit included),"
            f" {gwq[1] / median:.1f} for its sample-indicator pass alone"
        )
    print(line)
