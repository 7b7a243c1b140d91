#!/usr/bin/env bash
# What `make test` runs: the browser tests (tests/e2e, which mostly wait on pages, polls and jobs) in one pytest
# process beside the engine and API tests (tests/unit, tests/api) in another, so the waits of one overlap the work
# of the other. The browser tests' log is printed when both are done; the exit status fails if either failed.
# TEST_WORKERS=1 runs everything in one process.
set -u
py=${1:-.venv/bin/python}
common=(-q -p no:cacheprovider --durations=15 --timeout=900)
if [ "${TEST_WORKERS:-2}" -lt 2 ]; then
  exec "$py" -m pytest tests "${common[@]}"
fi
# one thread per torch process: two halves each training or generating with two threads on two cores made their
# threads spin-wait for each other (a 90-second fixture took 11 minutes)
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} MKL_NUM_THREADS=${MKL_NUM_THREADS:-1}
mkdir -p test-artifacts
log=test-artifacts/browser-tests.log
"$py" -m pytest tests/e2e "${common[@]}" >"$log" 2>&1 &
browser=$!
trap 'kill "$browser" 2>/dev/null' INT TERM
echo "make test: browser tests running beside these (log: $log)"
"$py" -m pytest tests/unit tests/api "${common[@]}"
engine=$?
wait "$browser"
rc=$?
echo
echo "== browser tests (tests/e2e), run beside the engine and API tests above:"
cat "$log"
echo "make test: engine and API tests exited $engine, browser tests exited $rc"
[ "$engine" -eq 0 ] && [ "$rc" -eq 0 ]
