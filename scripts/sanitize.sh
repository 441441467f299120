#!/usr/bin/env bash
# sanitize.sh - the code under ThreadSanitizer or AddressSanitizer; fails on any sanitizer report.
#
# Usage: scripts/sanitize.sh [--short] [thread|address]     (default: thread)
#   full (default)  `swift test --sanitize=KIND` over the whole test suite, in its own build
#                   folder (.build-tsan or .build-asan); a cold build takes tens of minutes on
#                   2 cores, the test run itself several minutes
#   --short         CI size: builds only the `mailer` product with the sanitizer and drives a
#                   real concurrent workload through `mailer serve` (scripts/sanitizer-workload.py:
#                   300 concurrent sends against an aiosmtpd sink that defers some, concurrent
#                   reads, a SIGHUP reload, a queue flush, draining, a graceful SIGTERM)
#
# A run fails when its command fails or when its output holds a sanitizer report
# ("WARNING: ThreadSanitizer", "ERROR: AddressSanitizer", "ERROR: LeakSanitizer", ...). The
# output is kept in .build-tsan/sanitize.log (resp. .build-asan/sanitize.log).
# Needs: Swift 6.3; for --short python3 with aiosmtpd.
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHORT=0
KIND=thread
while [ $# -gt 0 ]; do
  case "$1" in
    --short) SHORT=1 ;;
    thread|address) KIND=$1 ;;
    -h|--help) sed -n '2,/^# Needs/p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case $KIND in thread) SCRATCH="$ROOT/.build-tsan" ;; address) SCRATCH="$ROOT/.build-asan" ;; esac
mkdir -p "$SCRATCH"
# The sanitized build resolves the same pinned dependencies: start from the main build's
# checkouts when it has them rather than cloning everything again.
if [ ! -d "$SCRATCH/checkouts" ] && [ -d "$ROOT/.build/checkouts" ]; then
  cp -r "$ROOT/.build/checkouts" "$ROOT/.build/repositories" "$SCRATCH/" 2>/dev/null
  cp "$ROOT/.build/workspace-state.json" "$SCRATCH/" 2>/dev/null
fi
LOG="$SCRATCH/sanitize.log"
: >"$LOG"

# Reports go to stderr; halt_on_error=0 lets a run show all of them, the grep below fails it.
# scripts/tsan-suppressions.txt gives each entry's reason (Synchronization.Mutex under contention).
export TSAN_OPTIONS="halt_on_error=0 suppressions=$ROOT/scripts/tsan-suppressions.txt print_suppressions=1 ${TSAN_OPTIONS:-}"
# Leaks are looked for where they matter, in `mailer serve` stopped by SIGTERM (--short address).
# The test runners end with everything the tests left open (TLS contexts, NIO's perpetual thread
# pool, stores of tests that fail on purpose), which LeakSanitizer would report at every exit.
if [ "$SHORT" = 1 ]; then LEAKS=1; else LEAKS=0; fi
export ASAN_OPTIONS="halt_on_error=0:detect_leaks=$LEAKS ${ASAN_OPTIONS:-}"
SWIFT=(swift build --package-path "$ROOT" --scratch-path "$SCRATCH" --sanitize="$KIND")

start=$(date +%s)
if [ "$SHORT" = 1 ]; then
  echo "== $KIND sanitizer: build mailer ($SCRATCH)"
  "${SWIFT[@]}" --product mailer >>"$LOG" 2>&1 || { tail -30 "$LOG" >&2; echo "build failed" >&2; exit 1; }
  built=$(date +%s)
  BIN="$("${SWIFT[@]}" --show-bin-path)/mailer"
  PY=python3
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null && PY=/usr/bin/python3
  echo "== $KIND sanitizer: concurrent workload through mailer serve (built in $((built - start)) s)"
  SERVICE_LOG="$SCRATCH/mailer-serve.log"
  (cd "$ROOT" && "$PY" scripts/sanitizer-workload.py "$BIN" "$SERVICE_LOG") 2>&1 | tee -a "$LOG"
  status=${PIPESTATUS[0]}
  cat "$SERVICE_LOG" >>"$LOG"
else
  echo "== $KIND sanitizer: swift test --sanitize=$KIND (whole suite, $SCRATCH)"
  "${SWIFT[@]}" --build-tests >>"$LOG" 2>&1 || { tail -30 "$LOG" >&2; echo "build failed" >&2; exit 1; }
  built=$(date +%s)
  echo "built in $((built - start)) s"
  swift test --package-path "$ROOT" --scratch-path "$SCRATCH" --sanitize="$KIND" --skip-build >>"$LOG" 2>&1
  status=$?
  grep -E '^(Test Suite .(All tests|Selected tests). (passed|failed)|	 Executed [0-9]+ tests|.* Test run with [0-9]+ tests)' "$LOG" | tail -4
fi
end=$(date +%s)
suppressed=$(grep -E '^ *[0-9]+ race:' "$LOG" | awk '{n += $1} END {print n + 0}')

reports=$(grep -cE 'WARNING: ThreadSanitizer|ERROR: (AddressSanitizer|LeakSanitizer)|runtime error: |SUMMARY: (Thread|Address|Leak|UndefinedBehavior)Sanitizer' "$LOG")
echo "sanitizer=$KIND mode=$([ "$SHORT" = 1 ] && echo short || echo full) status=$status seconds=$((end - start)) sanitizer_report_lines=$reports suppressed_reports=$suppressed log=$LOG"
if [ "$reports" -ne 0 ]; then
  echo "FAIL sanitizer reports:" >&2
  grep -nE -A20 'WARNING: ThreadSanitizer|ERROR: (AddressSanitizer|LeakSanitizer)|runtime error: ' "$LOG" | head -120 >&2
  exit 1
fi
[ "$status" -eq 0 ] || { echo "FAIL the run exited with $status (see $LOG)" >&2; exit 1; }
echo "sanitize ($KIND): clean"
