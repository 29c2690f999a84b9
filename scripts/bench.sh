#!/usr/bin/env bash
# `make bench`: speed and memory on generated data (not a test). Every figure is the
# median of three runs (wall seconds) with the largest peak RSS of the three, so the
# issue notes can quote measured numbers.
#   BENCH_LINES (default 3000) and BENCH_DAYS (default 92) size the workspace:
#   3000 lines × 92 days of 5-minute samples is ~62 M sample rows (3.9 GB of CSV).
#   GWQ_TIMING=1 in the environment also prints gwq's own phase times.
set -euo pipefail
gwq=${1:?usage: bench.sh GWQ_BINARY DATA_DIR}
dir=${2:?usage: bench.sh GWQ_BINARY DATA_DIR}
lines=${BENCH_LINES:-3000}
days=${BENCH_DAYS:-92}
ws="$dir/ws-$lines-$days"

if [ ! -f "$ws/gwq.yaml" ]; then
  echo "generating demo --lines $lines --days $days into $ws ..."
  mkdir -p "$dir"
  "$gwq" --no-progress demo "$ws" --lines "$lines" --days "$days" --seed 1
fi
rows=$(cat "$ws"/data/性能/*.csv | wc -l)
bytes=$(cat "$ws"/data/性能/*.csv | wc -c)
echo "samples: $rows CSV lines, $((bytes / 1024 / 1024)) MiB"

# Runs "$@" three times (after `before`, a shell snippet, each time); prints
# "<median seconds> s, peak RSS <max MiB> MiB".
median3() {
  local before=$1 log secs=() rss=()
  shift
  log=$(mktemp)
  for _ in 1 2 3; do
    eval "$before"
    /usr/bin/time -f "%e %M" -o "$log" "$@" > /dev/null
    read -r s m < "$log"
    secs+=("$s")
    rss+=("$m")
  done
  rm -f "$log"
  local med max
  med=$(printf '%s\n' "${secs[@]}" | sort -g | sed -n 2p)
  max=$(printf '%s\n' "${rss[@]}" | sort -g | tail -1)
  echo "$med s (runs: ${secs[*]}), peak RSS $((max / 1024)) MiB"
}

q=("$gwq" -w "$ws" --no-progress -q)
echo "ingest CSV -> Parquet cache (cold): $(median3 "rm -rf '$ws/.gwq'" "${q[@]}" ingest)"
echo "ingest (cache fresh): $(median3 : "${q[@]}" ingest)"
echo "check, whole period (warm cache): $(median3 : "${q[@]}" check)"
echo "score fiber, whole period (warm cache, with the audit): $(median3 : "${q[@]}" score --scheme fiber)"
echo "score fiber from CSV (cold: ingest + audit + score): $(median3 "rm -rf '$ws/.gwq'" "${q[@]}" score --scheme fiber)"
# The monthly report of the workspace's second month (its trend then has two months).
month=$(sed -n 's/^service_period: \([0-9]*-[0-9]*\)-.*/\1/p' "$ws/gwq.yaml")
month=$(date -d "$month-01 +1 month" +%Y-%m)
echo "report monthly --month $month (warm cache, both schemes; SPEC §14 target 30 s): $(median3 : "${q[@]}" report monthly --month "$month")"
quarter=$(date -d "$month-01" +%Y)Q$(( ($(date -d "$month-01" +%-m) - 1) / 3 + 1 ))
echo "report quarterly --quarter $quarter (warm cache, both schemes): $(median3 : "${q[@]}" report quarterly --quarter "$quarter")"
echo "report annual over the service period (warm cache, both schemes; SPEC §14 target 3 min for a year): $(median3 : "${q[@]}" report annual)"

# The four sample indicators, gwq against DuckDB on the same data.
cp "$(dirname "$0")/bench-scheme.yaml" "$ws/bench-scheme.yaml"
grep -q "bench: bench-scheme.yaml" "$ws/gwq.yaml" || sed -i 's/^schemes:/schemes:\n  bench: bench-scheme.yaml/' "$ws/gwq.yaml"
bench=$(median3 : "${q[@]}" score --scheme bench)
echo "score bench scheme (4 sample indicators + the audit, warm cache): $bench"
echo "gwq phases of one bench-scheme run (GWQ_TIMING):"
phases=$(GWQ_TIMING=1 "${q[@]}" score --scheme bench 2>&1 >/dev/null)
echo "$phases" | grep -E "\] (check|score samples|ingest)" | sed 's/^/  /'
sample_secs=$(echo "$phases" | sed -n 's/^\[timing\] score samples: \([0-9.]*\) s.*/\1/p')
json=$("$gwq" -w "$ws" --no-progress --json score --scheme bench 2>/dev/null)
echo "$json" | python3 -c 'import json,sys; print("gwq values:", [i["value"] for i in json.load(sys.stdin)["indicators"]])'
read -r start end < <(echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["start"], d["end"])')
if python3 -c "import duckdb" 2>/dev/null; then
  python3 "$(dirname "$0")/duckdb_bench.py" "$ws" "$start" "$end" "${bench%% s*}" "$sample_secs"
else
  echo "duckdb not installed (pip install duckdb): DuckDB comparison skipped"
fi

# The first read (issue 14): one month's export as the only samples file (the first
# month, UTF-8: DuckDB cannot read the demo's GBK month), gwq `score --scheme bench`
# from an empty cache (CSV -> result) and from its cache, against DuckDB on the same
# CSV and on gwq's Parquet.
one="$dir/ws-$lines-$days-first-month"
if [ ! -f "$one/gwq.yaml" ]; then
  mkdir -p "$one/data/性能"
  for f in "$ws"/*; do [ "$(basename "$f")" = data ] || cp -r "$f" "$one/"; done
  for d in "$ws"/data/*; do [ "$(basename "$d")" = 性能 ] || cp -r "$d" "$one/data/"; done
  first=$(ls "$ws"/data/性能/*.csv | head -1)
  ln -sf "$(realpath "$first")" "$one/data/性能/$(basename "$first")"
fi
o=("$gwq" -w "$one" --no-progress -q)
echo "first month alone: $(du -hL "$one"/data/性能/*.csv | cut -f1) of CSV, $(wc -l < "$one"/data/性能/*.csv) lines"
cold=$(median3 "rm -rf '$one/.gwq'" "${o[@]}" score --scheme bench)
echo "score bench scheme, first month, cold (CSV -> result, cache empty): $cold"
warm=$(median3 : "${o[@]}" score --scheme bench)
echo "score bench scheme, first month, warm (from the cache): $warm"
phases=$(GWQ_TIMING=1 "${o[@]}" score --scheme bench 2>&1 >/dev/null)
one_samples=$(echo "$phases" | sed -n 's/^\[timing\] score samples: \([0-9.]*\) s.*/\1/p')
json=$("$gwq" -w "$one" --no-progress --json score --scheme bench 2>/dev/null)
read -r start end < <(echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["start"], d["end"])')
if python3 -c "import duckdb" 2>/dev/null; then
  python3 "$(dirname "$0")/duckdb_bench.py" "$one" "$start" "$end" "${warm%% s*}" "$one_samples" "${cold%% s*}"
fi

# A service year (SPEC §14: the annual report of a year in under 3 minutes): the
# workspace generated once (~4 min, ~15 GB of CSV), ingested, then `check` and
# `score` of the service year and `report annual`, each timed once with
# its peak RSS. BENCH_YEAR=0 skips it.
if [ "${BENCH_YEAR:-1}" != 0 ]; then
  year="$dir/ws-$lines-365"
  if [ ! -f "$year/gwq.yaml" ]; then
    echo "generating demo --lines $lines --days 365 into $year ..."
    "$gwq" --no-progress demo "$year" --lines "$lines" --days 365 --seed 1
  fi
  y=("$gwq" -w "$year" --no-progress -q)
  log=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$log" "${y[@]}" ingest > /dev/null
  read -r s m < "$log"
  echo "service year: ingest $s s, peak RSS $((m / 1024)) MiB"
  # The whole service year (it starts in July): `--year` would take half of it.
  sp=$(sed -n 's/^service_period: *//p' "$year/gwq.yaml")
  for step in "check --period $sp" "score --period $sp"; do
    # shellcheck disable=SC2086 # the step is words on purpose
    /usr/bin/time -f "%e %M" -o "$log" "${y[@]}" $step > /dev/null
    read -r s m < "$log"
    echo "service year: $step (warm cache; peak RSS goal 4096 MiB): $s s, peak RSS $((m / 1024)) MiB"
  done
  /usr/bin/time -f "%e %M" -o "$log" "${y[@]}" report annual > /dev/null
  read -r s m < "$log"
  echo "service year: report annual (warm cache, both schemes; target 180 s): $s s, peak RSS $((m / 1024)) MiB"
  rm -f "$log"
fi
