#!/usr/bin/env bash
# Start the web app, a Celery worker and the Celery beat scheduler; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var
pids=()
stop() {
  trap - INT TERM EXIT
  echo "Stopping Procession..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$PY" -m celery -A config worker --loglevel=INFO --concurrency=2 --hostname=procession@%h &
pids+=($!)
"$PY" -m celery -A config beat --loglevel=INFO &
pids+=($!)
"$PY" manage.py runserver --noreload "$HOST:$PORT" &
pids+=($!)

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
wait -n "${pids[@]}"
