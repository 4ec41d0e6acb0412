#!/usr/bin/env bash
# Start the web app, a Celery worker and the Celery beat scheduler and keep them running:
# a process that dies is started again (after RESTART_DELAY seconds, longer if it keeps
# dying quickly); the others go on. Ctrl-C (or SIGTERM) stops all three.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
RESTART_DELAY=${RESTART_DELAY:-1}
mkdir -p var

declare -A commands pids started delays
commands[worker]="$PY -m celery -A config worker --loglevel=INFO --concurrency=2 --hostname=procession@%h"
commands[beat]="$PY -m celery -A config beat --loglevel=INFO"
commands[web]="$PY manage.py runserver --noreload $HOST:$PORT"
names=(worker beat web)
stopping=0

launch() {
  local name=$1
  # shellcheck disable=SC2086 # the command lines are word lists
  ${commands[$name]} &
  pids[$name]=$!
  started[$name]=$SECONDS
}

stop() {
  stopping=1
  trap - INT TERM EXIT
  echo "Stopping Procession..."
  for name in "${names[@]}"; do kill -TERM "${pids[$name]}" 2>/dev/null || true; done
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    alive=0
    for name in "${names[@]}"; do kill -0 "${pids[$name]}" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 1
  done
  for name in "${names[@]}"; do kill -KILL "${pids[$name]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  exit 0
}
trap stop INT TERM EXIT

for name in "${names[@]}"; do
  delays[$name]=$RESTART_DELAY
  launch "$name"
done

cat <<MSG

  Procession is starting on http://$HOST:$PORT/
  Demo logins (password: procession):
    admin      administrator (Django admin)
    developer  process developer (group process-developers)
    sally      business user (group sales)
    frank      business user (group finance)
    audrey     auditor (group auditors)
  Press Ctrl-C to stop the web app, the worker and the scheduler.

MSG

while [ $stopping = 0 ]; do
  wait -n "${pids[@]}" 2>/dev/null
  [ $stopping = 1 ] && break
  for name in "${names[@]}"; do
    if ! kill -0 "${pids[$name]}" 2>/dev/null; then
      wait "${pids[$name]}" 2>/dev/null
      code=$?
      # A process that ran a minute or more restarts at once; one that keeps dying
      # quickly waits longer each time (up to 30 s), so a broken setting does not spin.
      if [ $((SECONDS - started[$name])) -ge 60 ]; then
        delays[$name]=$RESTART_DELAY
      fi
      echo "run_stack: $name exited with status $code; restarting it in ${delays[$name]} s" >&2
      sleep "${delays[$name]}"
      launch "$name"
      next=$((delays[$name] * 2))
      delays[$name]=$((next > 30 ? 30 : next))
    fi
  done
done
