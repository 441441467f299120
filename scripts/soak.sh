#!/usr/bin/env bash
# soak.sh - long runs: do memory, file descriptors and threads stay flat over 100k messages?
# Not part of CI (it takes several minutes and needs release builds).
#
# Usage: scripts/soak.sh [--messages N] [--requests N] [--no-build] [--smtp-bench PATH]
#   --messages N        part (a): messages through the SMTP connection pool (default 100000; 0 skips)
#   --requests N        part (b): HTTP requests to the service (default 100000; 0 skips)
#   --no-build          use the release `mailer` and Benchmarks' `smtp-bench` already built
#   --smtp-bench PATH   the smtp-bench binary (default Benchmarks/.build/release/smtp-bench)
#
# (a) Benchmarks' smtp-bench sends N messages (4 KB) through SMTPConnectionPool (4 sessions) into
#     Postfix's smtp-sink; its VmRSS, open fds (/proc/PID/fd) and threads are sampled at start,
#     every ~10 % (by smtp-sink's message counter) and at the end.
# (b) A release `mailer serve` (SMTP into smtp-sink, outbox on disk, per-recipient and per-token
#     limits off: MAILER_PER_RECIPIENT_PER_HOUR=0, MAILER_RATE_LIMIT_PER_MINUTE=0) gets N
#     POST /v1/emails/verification from wrk (2 threads, 16 connections) in runs of ~N/10;
#     its VmRSS, fds and threads are sampled before the first run, after each run and once the
#     outbox has drained (GET /v1/queue/stats: nothing queued, deferred or sending).
# Prints a table per part, then fails (exit 1) when
#   - a message or request fails, smtp-sink's counter or the outbox disagree with what was sent,
#     or the outbox does not drain to zero (no email left behind by a lost task);
#   - fds at the end exceed fds at the start by more than 8 (the pool's sessions and SQLite's
#     files are opened during the run and may stay open; anything per message or per request
#     would be thousands);
#   - threads at the end exceed threads at the start by more than 2 (fewer is fine: start-up
#     threads that end);
#   - RSS at the end exceeds RSS after the first 10 % (the warm-up) by more than 20 % + 16 MB.
# Needs: Swift 6.3, wrk, postfix (/usr/sbin/smtp-sink), python3 (stdlib only), a disk for TMPDIR.
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MESSAGES=100000
REQUESTS=100000
BUILD=1
SMTP_BENCH="$ROOT/Benchmarks/.build/release/smtp-bench"
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) MESSAGES=$2; shift ;;
    --requests) REQUESTS=$2; shift ;;
    --no-build) BUILD=0 ;;
    --smtp-bench) SMTP_BENCH=$2; shift ;;
    -h|--help) sed -n '2,/^# Needs/p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

WRK=$(command -v wrk) || { echo "wrk not found: apt-get install -y wrk" >&2; exit 2; }
SINK_BIN=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
[ -x "$SINK_BIN" ] || { echo "missing $SINK_BIN (Postfix; see Benchmarks/smtp-vs-peers.sh)" >&2; exit 2; }
PY=$(command -v python3) || { echo "python3 not found" >&2; exit 2; }

if [ "$BUILD" = 1 ]; then
  echo "building mailer and smtp-bench (release)..." >&2
  [ "$REQUESTS" -gt 0 ] && { swift build -c release --package-path "$ROOT" --product mailer >&2 || exit 1; }
  [ "$MESSAGES" -gt 0 ] && { swift build -c release --package-path "$ROOT/Benchmarks" --product smtp-bench >&2 || exit 1; }
fi
MAILER="$(swift build -c release --package-path "$ROOT" --show-bin-path)/mailer"
[ "$REQUESTS" -eq 0 ] || [ -x "$MAILER" ] || { echo "missing $MAILER (run without --no-build)" >&2; exit 2; }
[ "$MESSAGES" -eq 0 ] || [ -x "$SMTP_BENCH" ] || { echo "missing $SMTP_BENCH (run without --no-build)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX")
mkdir -p "$WORK/data"
SINK_PID=""; MAILER_PID=""; BENCH_PID=""
# stop_pid, free_port, wait_port
. "$ROOT/scripts/lib/processes.sh"
cleanup() { stop_pid "$BENCH_PID"; stop_pid "$MAILER_PID"; stop_pid "$SINK_PID"; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# sample PID -> "rss_kb fds threads"
sample() {
  local rss threads fds
  rss=$(awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null)
  threads=$(awk '/^Threads:/{print $2}' "/proc/$1/status" 2>/dev/null)
  fds=$(ls "/proc/$1/fd" 2>/dev/null | wc -l)
  echo "${rss:-0} $fds ${threads:-0}"
}
FAILED=0
fail() { echo "FAIL $*" >&2; FAILED=1; }
# check_flat LABEL RSS_WARM RSS_END FDS_START FDS_END THREADS_START THREADS_END
check_flat() {
  local rss_bound=$(( $2 * 120 / 100 + 16384 ))
  [ "$3" -le "$rss_bound" ] || fail "$1: RSS grew from $2 kB after warm-up to $3 kB (bound $rss_bound kB)"
  [ $(( $5 - $4 )) -le 8 ] || fail "$1: fds grew from $4 to $5"
  [ $(( $7 - $6 )) -le 2 ] || fail "$1: threads grew from $6 to $7"
}

SMTP_PORT=$(free_port)
USER_OPT=()
[ "$(id -u)" = 0 ] && USER_OPT=(-u nobody)   # smtp-sink refuses to run as root without -u
"$SINK_BIN" "${USER_OPT[@]}" -c -4 127.0.0.1:"$SMTP_PORT" 1024 >"$WORK/sink.out" 2>"$WORK/sink.err" &
SINK_PID=$!
wait_port "$SMTP_PORT" "$SINK_PID" smtp-sink "$WORK/sink.err"
sink_messages() { tr '\r' '\n' <"$WORK/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1 | sed 's/^$/0/'; }

echo "# soak: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(swift --version 2>/dev/null | head -1)"

# ---- (a) messages through the SMTP connection pool ---------------------------------------------
if [ "$MESSAGES" -gt 0 ]; then
  sink0=$(sink_messages)
  t0=$EPOCHREALTIME
  "$SMTP_BENCH" --host 127.0.0.1 --port "$SMTP_PORT" --messages "$MESSAGES" --connections 4 --size 4096 >"$WORK/bench.out" 2>&1 &
  BENCH_PID=$!
  echo
  echo "(a) smtp-bench: $MESSAGES messages, 4 pooled connections, 4 KB each, into smtp-sink"
  printf '%-10s %10s %10s %6s %8s\n' point messages rss_kb fds threads
  # Start: once the first message arrived (the process is up, before that its figures are
  # those of a program still loading).
  for _ in $(seq 500); do [ "$(sink_messages)" -gt "$sink0" ] && break; sleep 0.01; done
  read -r a_rss0 a_fd0 a_th0 <<<"$(sample "$BENCH_PID")"
  printf '%-10s %10s %10s %6s %8s\n' start 0 "$a_rss0" "$a_fd0" "$a_th0"
  next=$((MESSAGES / 10)); a_rss_warm=""
  a_last="$a_rss0 $a_fd0 $a_th0"
  while kill -0 "$BENCH_PID" 2>/dev/null; do
    done_now=$(( $(sink_messages) - sink0 ))
    if [ "$done_now" -ge "$next" ] && [ "$next" -lt "$MESSAGES" ]; then
      s=$(sample "$BENCH_PID"); [ "${s%% *}" != 0 ] && a_last=$s
      read -r r f t <<<"$s"
      printf '%-10s %10s %10s %6s %8s\n' "~$((100 * next / MESSAGES))%" "$done_now" "$r" "$f" "$t"
      [ -z "$a_rss_warm" ] && a_rss_warm=$r
      next=$((next + MESSAGES / 10))
    fi
    # The last sample before it exits: the process is gone a moment after its final print.
    if grep -q '^msgs_per_s=' "$WORK/bench.out" 2>/dev/null; then break; fi
    s=$(sample "$BENCH_PID"); [ "${s%% *}" != 0 ] && a_last=$s
    sleep 0.2
  done
  wait "$BENCH_PID"; rc=$?
  BENCH_PID=""
  t1=$EPOCHREALTIME
  read -r a_rss1 a_fd1 a_th1 <<<"$a_last"
  printf '%-10s %10s %10s %6s %8s\n' end "$(( $(sink_messages) - sink0 ))" "$a_rss1" "$a_fd1" "$a_th1"
  [ "$rc" -eq 0 ] || { fail "smtp-bench exited with $rc"; tail -5 "$WORK/bench.out" >&2; }
  grep -q '^failures=0$' "$WORK/bench.out" || fail "smtp-bench: $(grep '^failures=' "$WORK/bench.out")"
  for _ in $(seq 60); do [ $(( $(sink_messages) - sink0 )) -ge "$MESSAGES" ] && break; sleep 0.05; done
  [ $(( $(sink_messages) - sink0 )) -eq "$MESSAGES" ] || fail "smtp-sink counted $(( $(sink_messages) - sink0 )) of $MESSAGES messages"
  echo "smtp-bench: $(grep -E '^(msgs_per_s|rss_kb_at_10pct|rss_kb_at_end|connections_opened)=' "$WORK/bench.out" | tr '\n' ' ')"
  check_flat "(a) smtp-bench" "${a_rss_warm:-$a_rss0}" "$a_rss1" "$a_fd0" "$a_fd1" "$a_th0" "$a_th1"
fi

# ---- (b) HTTP requests to mailer serve ----------------------------------------------------------
if [ "$REQUESTS" -gt 0 ]; then
  FSTYPE=$(stat -f -c %T "$WORK/data")
  [ "$FSTYPE" != tmpfs ] || echo "note: MAILER_DATA_DIR on tmpfs ($WORK/data): fsync costs nothing there" >&2
  PORT=$(free_port)
  export SOAK_API_TOKEN
  SOAK_API_TOKEN=$("$PY" -c 'import secrets; print(secrets.token_hex(32))')
  env SMTP_HOST=127.0.0.1 SMTP_PORT="$SMTP_PORT" SMTP_SENDER=no-reply@example.com \
    SMTP_OPPORTUNISTIC_TLS=false MAILER_HOST=127.0.0.1 MAILER_PORT="$PORT" \
    MAILER_TEMPLATES_DIR="$ROOT/templates" MAILER_DATA_DIR="$WORK/data" MAILER_LOG_LEVEL=warning \
    MAILER_API_TOKENS="soak:$SOAK_API_TOKEN" MAILER_PER_RECIPIENT_PER_HOUR=0 MAILER_RATE_LIMIT_PER_MINUTE=0 \
    "$MAILER" serve >"$WORK/mailer.log" 2>&1 &
  MAILER_PID=$!
  wait_port "$PORT" "$MAILER_PID" "mailer serve" "$WORK/mailer.log"
  stats() { QUEUE_STATS_TOKEN="$SOAK_API_TOKEN" "$PY" "$ROOT/scripts/lib/queue-stats.py" "$PORT"; }
  CHUNK_SECONDS=5
  echo
  echo "(b) mailer serve: $REQUESTS POST /v1/emails/verification (wrk -t 2 -c 16, runs of ~10 %), SMTP into smtp-sink"
  printf '%-10s %9s %8s %10s %6s %8s %9s\n' point requests queued rss_kb fds threads req_per_s
  read -r b_rss0 b_fd0 b_th0 <<<"$(sample "$MAILER_PID")"
  printf '%-10s %9s %8s %10s %6s %8s %9s\n' start 0 0 "$b_rss0" "$b_fd0" "$b_th0" -
  total=0; b_rss_warm=""; tb0=$EPOCHREALTIME
  for ((i = 1; total < REQUESTS && i <= 100; i++)); do
    # Runs of a fixed duration, as many as it takes to reach N requests: CHUNK_SECONDS is sized
    # after the first run so that a run carries about N/10 requests.
    "$WRK" -t 2 -c 16 -d "${CHUNK_SECONDS}s" -s "$ROOT/scripts/soak-http.lua" "http://127.0.0.1:$PORT/v1/emails/verification" >"$WORK/wrk.out" 2>&1 \
      || { fail "wrk run $i failed"; cat "$WORK/wrk.out" >&2; break; }
    n=$(sed -n 's/^wrk_requests=//p' "$WORK/wrk.out"); errors=$(sed -n 's/^wrk_errors=//p' "$WORK/wrk.out")
    non2xx=$(sed -n 's/^wrk_non2xx=//p' "$WORK/wrk.out"); us=$(sed -n 's/^wrk_duration_us=//p' "$WORK/wrk.out")
    [ "${errors:-1}" -eq 0 ] && [ "${non2xx:-1}" -eq 0 ] || { fail "wrk run $i: errors=$errors non2xx=$non2xx"; cat "$WORK/wrk.out" >&2; }
    total=$((total + ${n:-0}))
    read -r pending _ _ _ <<<"$(stats)"
    read -r r f t <<<"$(sample "$MAILER_PID")"
    if [ -z "$b_rss_warm" ]; then
      b_rss_warm=$r
      CHUNK_SECONDS=$(awk -v n="$n" -v u="$us" -v want=$((REQUESTS / 10)) 'BEGIN{s = want / (n / (u / 1e6)); print (s < 1 ? 1 : int(s + 0.5))}')
    fi
    printf '%-10s %9s %8s %10s %6s %8s %9s\n' "run $i" "$total" "$pending" "$r" "$f" "$t" \
      "$(awk -v n="$n" -v u="$us" 'BEGIN{printf "%.0f", n/(u/1e6)}')"
  done
  tb1=$EPOCHREALTIME
  # Drained: nothing queued, deferred or sending; then the pool's sessions idle as after start-up.
  drained=""
  for _ in $(seq 1200); do
    read -r pending sent failed all <<<"$(stats)"
    if [ "$pending" -eq 0 ]; then drained=1; break; fi
    sleep 0.5
  done
  tb2=$EPOCHREALTIME
  sleep 2
  read -r b_rss1 b_fd1 b_th1 <<<"$(sample "$MAILER_PID")"
  printf '%-10s %9s %8s %10s %6s %8s %9s\n' drained "$total" "$pending" "$b_rss1" "$b_fd1" "$b_th1" -
  [ -n "$drained" ] || fail "the outbox did not drain in 600 s ($pending left)"
  [ "$failed" -eq 0 ] || fail "$failed emails failed"
  [ "$all" -ge "$total" ] || fail "the outbox holds $all emails, wrk saw $total accepted"
  [ "$sent" -eq "$all" ] || fail "the outbox sent $sent of $all"
  echo "outbox: $all accepted, $sent sent, $failed failed, 0 left; $(awk -v n="$total" -v a="$tb0" -v b="$tb1" -v c="$tb2" 'BEGIN{printf "%.0f req/s over the wrk runs, %.0f msgs/s accepted-to-drained", n/(b-a), n/(c-a)}')"
  kill -0 "$MAILER_PID" 2>/dev/null || fail "mailer serve is no longer running"
  if grep -nE 'EINTERNAL|"level":"(error|critical)"|Fatal error|Program crashed' "$WORK/mailer.log" | head -5 >"$WORK/bad"; [ -s "$WORK/bad" ]; then
    fail "the service log holds errors:"; cat "$WORK/bad" >&2
  fi
  check_flat "(b) mailer serve" "$b_rss_warm" "$b_rss1" "$b_fd0" "$b_fd1" "$b_th0" "$b_th1"
fi

if [ "$FAILED" -ne 0 ]; then echo "soak: FAILED" >&2; exit 1; fi
echo "soak: ok (fds, threads and RSS within their bounds, outbox drained)"
