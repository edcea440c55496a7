#!/usr/bin/env bash
# Every test, as two pytest runs at once (what `./ssp test` without arguments does).
#
# Most of the suite's time is waiting, not computing: the fault, end-to-end and browser tests
# wait for consumer groups to join (~5 s each on Tansu), for services to start, recover and
# catch up. One pytest run in a row took 23-24 min on 2 cores with the CPU mostly idle (7.5 min
# of user time for the 23.7 min of integration, end-to-end, fault and browser tests). Two runs
# at once fill that waiting: the CPU-heavy unit tests with the integration tests in one, the
# process-starting fault, end-to-end and browser tests in the other. They share nothing but
# the PostgreSQL server (each test makes a database of its own) and pick free ports.
#
# Each half's output is printed in full when the half ends; a line a minute says which are
# still running. Exits non-zero when either half failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

logs="$(mktemp -d)"
started=$SECONDS
pytest_half() { uv run --locked --no-sync pytest -p no:cacheprovider "$@"; }

pytest_half tests/unit tests/golden tests/integration >"$logs/first.log" 2>&1 &
first=$!
pytest_half tests/faults tests/e2e tests/browser >"$logs/second.log" 2>&1 &
second=$!
echo "ssp test: two halves at once: (1) unit, golden, integration; (2) faults, e2e, browser"

declare -A status=()
while [ "${#status[@]}" -lt 2 ]; do
  for half in first second; do
    [ -n "${status[$half]:-}" ] && continue
    pid=${!half}
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      status[$half]=$?
      echo "===== ssp test: the $half half ended (exit ${status[$half]}) after $((SECONDS - started)) s ====="
      cat "$logs/$half.log"
    fi
  done
  [ "${#status[@]}" -lt 2 ] && sleep 5 &&
    [ $(((SECONDS - started) % 60)) -lt 5 ] &&
    echo "ssp test: still running after $((SECONDS - started)) s"
done
rm -rf "$logs"
[ "${status[first]}" -eq 0 ] && [ "${status[second]}" -eq 0 ]
