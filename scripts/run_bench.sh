#!/usr/bin/env bash
# Every benchmark in bench/, in sequence; each writes JSON to bench/results/ (git-ignored).
# PostgreSQL/Redis benchmarks are skipped with a notice when the servers are unreachable.
# Usage: PY=.venv/bin/python scripts/run_bench.sh [--quick]
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PG_URL=${PROCESSION_BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432}
REDIS_URL=${PROCESSION_BENCH_REDIS:-redis://127.0.0.1:6379/14}
QUICK=${1:-}
status=0
mkdir -p bench/results
# Each benchmark's JSON is also copied into a folder of this run, so the write-up can cite
# one run even when someone re-runs a single benchmark later.
RUN_DIR=bench/results/run-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RUN_DIR"

run() {
  local name=$1
  shift
  echo "== $name"
  local started=$SECONDS
  if "$PY" "$@"; then
    cp bench/results/"$name"*.json bench/results/"$name"*.txt "$RUN_DIR"/ 2>/dev/null || true
  else
    echo "FAILED: $name" >&2
    status=1
  fi
  echo "   ($name took $((SECONDS - started)) s)"
}

have_pg=0
have_redis=0
"$PY" scripts/check_services.py postgres="$PG_URL" && have_pg=1
"$PY" scripts/check_services.py redis="$REDIS_URL" && have_redis=1

if [ "$QUICK" = "--quick" ]; then
  run parse bench/bench_parse.py --repeat 2
  run expressions bench/expressions_json.py
  run runtime bench/bench_runtime.py --quick
else
  run parse bench/bench_parse.py
  run expressions bench/expressions_json.py
  run runtime bench/bench_runtime.py
fi

if [ $have_pg = 1 ]; then
  if [ "$QUICK" = "--quick" ]; then
    run persisted bench/bench_persisted.py --seconds 3 --pgbench-seconds 3
  else
    run persisted bench/bench_persisted.py
  fi
else
  echo "NOTICE: PostgreSQL unreachable ($PG_URL): persisted runs on SQLite only; jobs and timers skipped."
  run persisted bench/bench_persisted.py
fi

if [ $have_pg = 1 ] && [ $have_redis = 1 ]; then
  if [ "$QUICK" = "--quick" ]; then
    run jobs bench/bench_jobs.py --instances 100 --workers 1,2 --pgbench-seconds 3
  else
    run jobs bench/bench_jobs.py
  fi
else
  echo "NOTICE: PostgreSQL or Redis unreachable: skipped the jobs benchmark."
fi

if [ $have_pg = 1 ]; then
  if [ "$QUICK" = "--quick" ]; then
    run timers bench/bench_timers.py --burst 100 --seconds 3 --fleet 1000
    run curves bench/bench_curves.py --sizes 0,20000 --rounds 100
  else
    run timers bench/bench_timers.py
    # CURVE_SIZES=0,100000 for a shorter run; 1M copies ~20M rows (minutes, a few GB)
    run curves bench/bench_curves.py --sizes "${CURVE_SIZES:-0,100000,1000000}"
  fi
else
  echo "NOTICE: PostgreSQL unreachable: skipped the timer and curves benchmarks."
fi

# instance size: PostgreSQL when reachable, always SQLite (a 10k-token start takes a while)
if [ "$QUICK" = "--quick" ]; then
  run instance_size bench/bench_instance_size.py --sizes 1,100,1000 --completions 5 --profile 0
else
  run instance_size bench/bench_instance_size.py
fi

if [ $have_pg = 1 ]; then
  if [ "$QUICK" = "--quick" ]; then
    run inbox bench/bench_inbox.py --tasks 100000 --repeat 30
  else
    run inbox bench/bench_inbox.py
  fi
else
  echo "NOTICE: PostgreSQL unreachable: skipped the inbox benchmark."
fi

uptime > "$RUN_DIR"/uptime.txt
"$PY" bench/summary.py "$RUN_DIR"
echo "this run's results: $RUN_DIR"
exit $status
