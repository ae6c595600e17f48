#!/usr/bin/env bash
# Run a command in a process group of its own and stop the whole group on Ctrl-C (or TERM).
# `airflow standalone` alone did not stop on Ctrl-C: its api-server, scheduler and workers outlived it,
# and the api-server kept port 8080 (stop 46's README walk).
set -u
setsid "$@" &
leader=$!
stop() {
    trap - INT TERM
    echo "stopping (process group $leader) ..." >&2
    kill -TERM -- "-$leader" 2>/dev/null
    for _ in $(seq 20); do
        kill -0 -- "-$leader" 2>/dev/null || exit 0
        sleep 0.5
    done
    kill -KILL -- "-$leader" 2>/dev/null
    exit 0
}
trap stop INT TERM
wait "$leader"
