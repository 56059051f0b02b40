#!/usr/bin/env bash
# Runs one server as a child and stops it when this script's stdin closes, which happens when the
# local stack stops or dies (even by kill -9), so no server is ever left behind as an orphan.
# STOP_SIGNAL names the signal the server treats as "shut down now" (PostgreSQL: INT).
set -u
signal="${STOP_SIGNAL:-TERM}"
"$@" </dev/null &
child=$!

stop_child() {
  kill -"$signal" "$child" 2>/dev/null
  for _ in $(seq 1 150); do
    kill -0 "$child" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$child" 2>/dev/null
}
trap 'stop_child; exit 143' TERM INT
trap 'stop_child; exit 129' HUP

while kill -0 "$child" 2>/dev/null; do
  read -r -t 1 _
  rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -le 128 ]; then
    stop_child
    break
  fi
done
wait "$child"
