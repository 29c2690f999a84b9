"""Times the four sample indicators of scripts/bench-scheme.yaml in DuckDB, on the
demo's CSV exports and on gwq's Parquet cache, for `make bench`.

Usage: python3 scripts/duckdb_bench.py WORKSPACE  (needs `pip install duckdb`)
Prints one line per source: seconds (median of 3) and the four values.
"""
import statistics
import sys
import time

import duckdb

ws = sys.argv[1]
QUERY = """
WITH s AS ({source}),
inv AS (SELECT * FROM read_parquet('{ws}/.gwq/inventory/*.parquet') WHERE access_type = 'fiber')
SELECT
  100.0 * avg(CASE WHEN s.reachable THEN 1.0 ELSE 0.0 END) AS availability,
  avg(CASE WHEN s.reachable THEN s.latency_ms END) AS mean_latency,
  quantile_cont(s.latency_ms, 0.95) AS p95_latency,
  100.0 * avg(CASE WHEN s.loss_pct <= 1 THEN 1.0 ELSE 0.0 END) AS loss_le_1pct
FROM s JOIN inv USING (line_id)
"""
CSV = (
    "SELECT \"采集时间\" AS time, \"线路编号\" AS line_id, try_cast(\"时延(ms)\" AS DOUBLE) AS latency_ms, "
    "try_cast(\"丢包率(%)\" AS DOUBLE) AS loss_pct, \"可达\" = '是' AS reachable "
    "FROM read_csv('{ws}/data/性能/*.csv', header=true, all_varchar=true, ignore_errors=true, "
    "encoding='utf-8', union_by_name=true)"
)
PARQUET = "SELECT time, line_id, latency_ms, loss_pct, reachable FROM read_parquet('{ws}/.gwq/samples/*.parquet')"

for name, source in [("parquet", PARQUET), ("csv", CSV)]:
    con = duckdb.connect()
    times, row = [], None
    for _ in range(3):
        start = time.perf_counter()
        try:
            row = con.execute(QUERY.format(source=source.format(ws=ws), ws=ws)).fetchone()
        except duckdb.Error as e:  # the GBK month cannot be read as UTF-8 by DuckDB
            row = f"error: {str(e).splitlines()[0]}"
        times.append(time.perf_counter() - start)
    print(f"duckdb {name}: {statistics.median(times):.2f} s (median of 3) -> {row}")
