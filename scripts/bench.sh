#!/usr/bin/env bash
# `make bench`: ingest and audit figures on generated data. Not a test: it prints
# rows/s, seconds and peak RSS so the issue notes can quote measured numbers.
#   BENCH_LINES (default 500) and BENCH_DAYS (default 92) size the workspace.
set -euo pipefail
gwq=${1:?usage: bench.sh GWQ_BINARY DATA_DIR}
dir=${2:?usage: bench.sh GWQ_BINARY DATA_DIR}
lines=${BENCH_LINES:-500}
days=${BENCH_DAYS:-92}
ws="$dir/ws-$lines-$days"

if [ ! -f "$ws/gwq.yaml" ]; then
  echo "generating demo --lines $lines --days $days into $ws ..."
  mkdir -p "$dir"
  "$gwq" --no-progress demo "$ws" --lines "$lines" --days "$days" --seed 1
fi
rows=$(cat "$ws"/data/性能/*.csv | wc -l)
bytes=$(cat "$ws"/data/性能/*.csv | wc -c)

# Runs a command under /usr/bin/time; prints "<seconds> <peak RSS MiB>".
measure() {
  local log
  log=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$log" "$@" > /dev/null
  awk '{ printf "%s %.0f\n", $1, $2 / 1024 }' "$log"
  rm -f "$log"
}

echo "samples: $rows CSV lines, $((bytes / 1024 / 1024)) MiB"
for run in 1 2 3; do
  rm -rf "$ws/.gwq"
  read -r secs rss < <(measure "$gwq" -w "$ws" --no-progress -q ingest)
  rate=$(awk -v r="$rows" -v s="$secs" 'BEGIN { printf "%.0f", r / s }')
  echo "ingest (cold, run $run): ${secs} s, ${rate} rows/s, peak RSS ${rss} MiB"
done
read -r secs rss < <(measure "$gwq" -w "$ws" --no-progress -q ingest)
echo "ingest (cache fresh): ${secs} s, peak RSS ${rss} MiB"
for run in 1 2 3; do
  read -r secs rss < <(measure "$gwq" -w "$ws" --no-progress -q check)
  echo "check (whole period, run $run): ${secs} s, peak RSS ${rss} MiB"
done
for run in 1 2 3; do
  read -r secs rss < <(measure "$gwq" -w "$ws" --no-progress -q score --scheme fiber)
  echo "score fiber (whole period, cache warm, with the audit, run $run): ${secs} s, peak RSS ${rss} MiB"
done

# The four sample indicators, gwq against DuckDB on the same data.
cp "$(dirname "$0")/bench-scheme.yaml" "$ws/bench-scheme.yaml"
grep -q "bench: bench-scheme.yaml" "$ws/gwq.yaml" || sed -i 's/^schemes:/schemes:\n  bench: bench-scheme.yaml/' "$ws/gwq.yaml"
for run in 1 2 3; do
  read -r secs rss < <(measure "$gwq" -w "$ws" --no-progress -q score --scheme bench)
  echo "score bench scheme (4 sample indicators + the audit, run $run): ${secs} s, peak RSS ${rss} MiB"
done
"$gwq" -w "$ws" --no-progress --json score --scheme bench 2>/dev/null \
  | python3 -c 'import json,sys; print("gwq values:", [round(i["value"], 4) for i in json.load(sys.stdin)["indicators"]])'
if python3 -c "import duckdb" 2>/dev/null; then
  python3 "$(dirname "$0")/duckdb_bench.py" "$ws"
else
  echo "duckdb not installed (pip install duckdb): DuckDB comparison skipped"
fi
