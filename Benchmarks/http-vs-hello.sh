#!/usr/bin/env bash
# http-vs-hello.sh - the service end to end over HTTP, next to a Hummingbird hello-world ceiling,
# in one run: wrk POSTs /v1/emails/verification, the mailer writes each email to its SQLite outbox
# (WAL, synchronous=FULL: one fsync per commit, the product default) before answering 202, and its
# worker sends the queue through the SMTP pool into Postfix smtp-sink.
#
# Usage: Benchmarks/http-vs-hello.sh [--duration S] [--connections C] [--threads T] [--rounds R]
#                                    [--warmup S] [--smtp-bench PATH] [--no-build] [--intake-only]
#   --duration S      seconds per wrk run (default 10)
#   --connections C   wrk -c C: concurrent HTTP/1.1 keep-alive connections (default 16)
#   --threads T       wrk -t T (default 2)
#   --rounds R        rounds of (hello, mailer); the order alternates between rounds (default 2)
#   --warmup S        an untimed wrk run of S seconds against each server first (default 2; 0: none)
#   --smtp-bench PATH smtp-bench binary for the SMTP-only comparison (default: Benchmarks/.build/
#                     release/smtp-bench if it exists, else that comparison is skipped)
#   --no-build        use the mailer and http-hello already built in release
#   --intake-only     accepting alone: the mailer's SMTP server is a socket that takes connections
#                     and never greets, so nothing is delivered during the runs (the emails stay
#                     queued); prints intake_only_ratio_vs_hello= instead of the target's ratio,
#                     which is measured with delivery under way (without this option)
#
# The mailer runs with a bearer token (MAILER_API_TOKENS), which wrk sends to both servers.
# Prints per run requests/s, p50 and p99 latency (wrk --latency, via http-verification.lua), and
# the server's CPU time per request during the run (from /proc/PID/stat; for the mailer this
# includes the deliveries made during the run), which other load on the machine moves far less;
# after every mailer run it waits until the outbox is drained (GET /v1/queue/stats until
# queued + deferred + sending == 0) and prints delivered msgs/s = emails sent / seconds from the
# start of the run to drained, cross-checked with smtp-sink's message counter; then the medians,
# ratio_vs_hello= (mailer req/s / hello req/s) and whether the >= 0.5 target is met. With smtp-bench
# it also prints the machine's budget: the CPU per request of http-hello and of wrk, and per message
# of smtp-bench and of smtp-sink (all measured in the run), and from them the most requests/s any
# mailer could reach on these cores if it cost no more than serving HTTP and speaking SMTP.
# Stops with exit 1 when a request fails (socket error, timeout or an answer other than 2xx), when
# the outbox holds fewer emails than wrk saw answered, when an email fails or when smtp-sink's
# counter does not match the emails sent.
# Needs: Swift 6.3, wrk (apt-get install -y wrk), postfix (/usr/sbin/smtp-sink), python3.
set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
DURATION=10
C=16
T=2
ROUNDS=2
WARMUP=2
SMTP_BENCH=""
BUILD=1
INTAKE_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift ;;
    --connections) C=$2; shift ;;
    --threads) T=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --smtp-bench) SMTP_BENCH=$2; shift ;;
    --no-build) BUILD=0 ;;
    --intake-only) INTAKE_ONLY=1 ;;
    -h|--help) sed -n '2,/^# Needs/p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

WRK=$(command -v wrk) || { echo "wrk not found: apt-get install -y wrk" >&2; exit 2; }
SINK_BIN=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
[ -x "$SINK_BIN" ] || {
  echo "missing $SINK_BIN; install Postfix's tools without configuring an MTA:" >&2
  echo '  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections' >&2
  echo '  DEBIAN_FRONTEND=noninteractive apt-get install -y postfix' >&2
  exit 2
}
PY=$(command -v python3) || { echo "python3 not found" >&2; exit 2; }
LUA="$HERE/http-verification.lua"

if [ "$BUILD" = 1 ]; then
  echo "building mailer and http-hello (release)..." >&2
  swift build -c release --package-path "$ROOT" --product mailer >&2 || exit 1
  swift build -c release --package-path "$HERE" --product http-hello >&2 || exit 1
fi
MAILER="$(swift build -c release --package-path "$ROOT" --show-bin-path)/mailer"
HELLO="$(swift build -c release --package-path "$HERE" --show-bin-path)/http-hello"
for b in "$MAILER" "$HELLO"; do
  [ -x "$b" ] || { echo "missing $b (run without --no-build)" >&2; exit 2; }
done
if [ -z "$SMTP_BENCH" ] && [ -x "$HERE/.build/release/smtp-bench" ]; then
  SMTP_BENCH="$HERE/.build/release/smtp-bench"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/http-vs-hello.XXXXXX")
DATA="$WORK/data"
mkdir -p "$DATA"
FSTYPE=$(stat -f -c %T "$DATA")
if [ "$FSTYPE" = tmpfs ] || [ "$FSTYPE" = ramfs ]; then
  # fsync is free on tmpfs: the figure would not be the product's.
  echo "MAILER_DATA_DIR would be on $FSTYPE ($DATA), where fsync costs nothing; set TMPDIR to a disk" >&2
  rm -rf "$WORK"
  exit 2
fi

SINK_PID=""; HELLO_PID=""; MAILER_PID=""; SILENT_PID=""
# stop_pid, free_port, wait_port
. "$ROOT/scripts/lib/processes.sh"
cleanup() {
  stop_pid "$MAILER_PID"; stop_pid "$HELLO_PID"; stop_pid "$SINK_PID"; stop_pid "$SILENT_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# ---- smtp-sink ---------------------------------------------------------------
SMTP_PORT=$(free_port)
USER_OPT=()
[ "$(id -u)" = 0 ] && USER_OPT=(-u nobody)   # smtp-sink refuses to run as root without -u
# -c: counters ("sess=.. quit=.. mesg=..") on stdout, to check what arrived.
"$SINK_BIN" "${USER_OPT[@]}" -c -4 127.0.0.1:"$SMTP_PORT" 1024 >"$WORK/sink.out" 2>"$WORK/sink.err" &
SINK_PID=$!
wait_port "$SMTP_PORT" "$SINK_PID" smtp-sink "$WORK/sink.err"

sink_messages() {  # the last "mesg=" counter smtp-sink printed
  tr '\r' '\n' <"$WORK/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1 | sed 's/^$/0/'
}

# ---- with --intake-only, an SMTP server that never greets --------------------------
MAILER_SMTP_PORT=$SMTP_PORT
HOLD_ENV=()
if [ "$INTAKE_ONLY" = 1 ]; then
  MAILER_SMTP_PORT=$(free_port)
  "$PY" -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(128)
held = []
while True:
    held.append(s.accept()[0])   # kept open, never answered
' "$MAILER_SMTP_PORT" >"$WORK/silent.log" 2>&1 &
  SILENT_PID=$!
  wait_port "$MAILER_SMTP_PORT" "$SILENT_PID" "silent SMTP server" "$WORK/silent.log"
  # The pool's sessions wait for a greeting for the whole run instead of failing and retrying.
  HOLD_ENV=(SMTP_GREETING_TIMEOUT=3600)
fi

# ---- http-hello and the mailer -------------------------------------------------
HELLO_PORT=$(free_port)
"$HELLO" --host 127.0.0.1 --port "$HELLO_PORT" >"$WORK/hello.log" 2>&1 &
HELLO_PID=$!
wait_port "$HELLO_PORT" "$HELLO_PID" http-hello "$WORK/hello.log"

MAILER_PORT=$(free_port)
# Authentication stays on, as the product runs: wrk (http-verification.lua) and the stats calls
# below send this token.
# The rate limits are off: wrk posts thousands of verifications to one address, which is what
# MAILER_PER_RECIPIENT_PER_HOUR exists to stop; the benchmark measures the HTTP path, not refusals.
export BENCH_API_TOKEN
BENCH_API_TOKEN=$("$PY" -c 'import secrets; print(secrets.token_hex(32))')
env SMTP_HOST=127.0.0.1 SMTP_PORT="$MAILER_SMTP_PORT" SMTP_SENDER=no-reply@example.com "${HOLD_ENV[@]}" \
  SMTP_OPPORTUNISTIC_TLS=false MAILER_HOST=127.0.0.1 MAILER_PORT="$MAILER_PORT" \
  MAILER_TEMPLATES_DIR="$ROOT/templates" MAILER_DATA_DIR="$DATA" MAILER_LOG_LEVEL=warning \
  MAILER_API_TOKENS="bench:$BENCH_API_TOKEN" \
  MAILER_PER_RECIPIENT_PER_HOUR=0 MAILER_RATE_LIMIT_PER_MINUTE=0 \
  "$MAILER" serve >"$WORK/mailer.log" 2>&1 &
MAILER_PID=$!
wait_port "$MAILER_PORT" "$MAILER_PID" "mailer serve" "$WORK/mailer.log"

# stats -> "pending sent failed total" from GET /v1/queue/stats (pending = queued+deferred+sending)
stats() { QUEUE_STATS_TOKEN="$BENCH_API_TOKEN" "$PY" "$ROOT/scripts/lib/queue-stats.py" "$MAILER_PORT"; }
# wait_drained: poll GET /metrics every 20 ms until its mailer_queue_depth gauges (queued, deferred,
# sending) are all 0 (at most 300 s), then GET /v1/queue/stats once; prints "EPOCH sent failed total".
# The gauges count waiting rows only (an index range); /v1/queue/stats counts the whole table and
# today's attempts, which at 50 polls a second would slow the very drain it measures.
DRAIN_PY='
import json, os, re, sys, time, urllib.request
port = sys.argv[1]
metrics = urllib.request.Request("http://127.0.0.1:%s/metrics" % port)
stats = urllib.request.Request("http://127.0.0.1:%s/v1/queue/stats" % port, headers={"Authorization": "Bearer " + os.environ["BENCH_API_TOKEN"]})
depth = re.compile(r"^mailer_queue_depth\{[^}]*\}\s+([0-9.e+]+)", re.M)
deadline = time.time() + 300
while True:
    text = urllib.request.urlopen(metrics, timeout=10).read().decode()
    now = time.time()
    waiting = [float(v) for v in depth.findall(text)]
    if not waiting:
        print("no mailer_queue_depth in GET /metrics", file=sys.stderr); sys.exit(1)
    if sum(waiting) == 0:
        break
    if now > deadline:
        print("queue not drained after 300 s: %s waiting" % sum(waiting), file=sys.stderr); sys.exit(1)
    time.sleep(0.02)
s = json.load(urllib.request.urlopen(stats, timeout=10))["counts"]
if s["queued"] + s["deferred"] + s["sending"] != 0:
    print("GET /metrics said drained, GET /v1/queue/stats says %s" % s, file=sys.stderr); sys.exit(1)
print("%.6f %d %d %d" % (now, s["sent"], s["failed"], sum(s.values())))
'

kv() { sed -n "s/^$1=\([0-9.]*\)$/\1/p" "$2" | tail -1; }

# with_cpu OUT COMMAND...: runs COMMAND with its output appended to OUT, then appends
# "child_cpu_s=<user+system seconds>" (getrusage of the finished child; the load generators'
# own CPU counts in the machine budget below). Exits with COMMAND's status.
CPU_PY='
import resource, subprocess, sys
with open(sys.argv[1], "a") as out:
    code = subprocess.call(sys.argv[2:], stdout=out, stderr=subprocess.STDOUT)
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.write("child_cpu_s=%.3f\n" % (r.ru_utime + r.ru_stime))
sys.exit(code)
'
with_cpu() { local out=$1; shift; : >"$out"; "$PY" -c "$CPU_PY" "$out" "$@"; }

# run_wrk PORT SECONDS OUT: wrk against 127.0.0.1:PORT; exit 1 on any failed request
run_wrk() {
  with_cpu "$3" "$WRK" -t "$T" -c "$C" -d "${2}s" --latency -s "$LUA" "http://127.0.0.1:$1/v1/emails/verification" \
    || { echo "wrk failed:" >&2; cat "$3" >&2; exit 1; }
  local errors non2xx requests
  errors=$(kv wrk_errors "$3"); non2xx=$(kv wrk_non2xx "$3"); requests=$(kv wrk_requests "$3")
  if [ -z "$requests" ] || [ "$requests" -eq 0 ] || [ "$errors" -ne 0 ] || [ "$non2xx" -ne 0 ]; then
    echo "wrk against port $1: requests=$requests socket errors/timeouts=$errors non-2xx=$non2xx" >&2
    cat "$3" >&2; exit 1
  fi
}

# check_accepted ACCEPTED REQUESTS: the outbox grew by ACCEPTED emails during a run in which wrk
# saw REQUESTS answered; requests still in flight when wrk stopped may be in the outbox too.
check_accepted() {
  if [ "$1" -lt "$2" ] || [ "$1" -gt $(($2 + C)) ]; then
    echo "outbox grew by $1 emails, wrk saw $2 answered (expected up to $C more)" >&2; exit 1
  fi
}

# drain_check BEFORE_SENT BEFORE_TOTAL BEFORE_SINK T0 REQUESTS T_END PENDING_END: after a mailer run,
# wait until drained, check the counts, echo "delivered_msgs_per_s sent drain_s backlog_drain_msgs_per_s"
drain_check() {
  local sent0=$1 total0=$2 sink0=$3 t0=$4 requests=$5 tend=$6 pending_end=$7 out tdone sent failed total sink_now
  out=$("$PY" -c "$DRAIN_PY" "$MAILER_PORT") || exit 1
  read -r tdone sent failed total <<<"$out"
  local accepted=$((total - total0)) delivered=$((sent - sent0))
  check_accepted "$accepted" "$requests"
  [ "$failed" -eq 0 ] || { echo "$failed emails failed" >&2; exit 1; }
  [ "$delivered" -eq "$accepted" ] || { echo "sent $delivered of $accepted accepted emails" >&2; exit 1; }
  for _ in $(seq 60); do
    sink_now=$(sink_messages)
    [ "$sink_now" -ge $((sink0 + delivered)) ] && break
    sleep 0.05
  done
  if [ "$sink_now" -ne $((sink0 + delivered)) ]; then
    echo "smtp-sink received $((sink_now - sink0)) messages, the outbox says $delivered sent" >&2; exit 1
  fi
  awk -v n="$delivered" -v a="$t0" -v b="$tdone" -v e="$tend" -v p="$pending_end" 'BEGIN{
    printf "%.1f %d %.2f %s\n", n/(b-a), n, b-e, (p >= 100 && b > e) ? sprintf("%.1f", p/(b-e)) : "n/a" }'
}

# intake_check TOTAL_BEFORE REQUESTS: with --intake-only, the outbox must have grown by the answers
# wrk saw, and nothing may have been sent.
intake_check() {
  local total sent
  read -r _ sent _ total <<<"$(stats)"
  check_accepted $((total - $1)) "$2"
  [ "$sent" -eq 0 ] || { echo "$sent emails were sent, though the SMTP server never greets" >&2; exit 1; }
}

# cpu_ticks PID: user + system CPU time of the process so far, in clock ticks (/proc/PID/stat).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# us_per_request TICKS REQUESTS: CPU microseconds per request, a figure other load on the machine
# changes far less than requests/s (it does not count time spent waiting for a core).
us_per_request() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f", t * 1e6 / hz / n}'; }

us_ms() { awk -v u="$1" 'BEGIN{printf "%.2f", u/1000}'; }
median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "nan"; exit}; if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

echo "# http-vs-hello: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), wrk -t $T -c $C -d ${DURATION}s, rounds=$ROUNDS, warm-up ${WARMUP}s"
echo "# $("$WRK" --version 2>&1 | head -1 | cut -d' ' -f1-2), $(swift --version 2>/dev/null | head -1)"
echo "# mailer on 127.0.0.1:$MAILER_PORT, http-hello on 127.0.0.1:$HELLO_PORT, smtp-sink on 127.0.0.1:$SMTP_PORT"
[ "$INTAKE_ONLY" = 1 ] && echo "# --intake-only: the mailer's SMTP server (127.0.0.1:$MAILER_SMTP_PORT) never greets; nothing is delivered during the runs"
echo "# fsync: ON (product default: outbox in WAL mode, synchronous=FULL; every email committed before its 202, concurrent requests share a commit), MAILER_DATA_DIR on $FSTYPE; SMTP_POOL_SIZE default; MAILER_LOG_LEVEL=warning"

if [ "$WARMUP" -gt 0 ]; then
  run_wrk "$HELLO_PORT" "$WARMUP" "$WORK/warm.out"
  read -r _ sent0 _ total0 <<<"$(stats)"; sink0=$(sink_messages)
  t0=$EPOCHREALTIME
  run_wrk "$MAILER_PORT" "$WARMUP" "$WORK/warm.out"
  if [ "$INTAKE_ONLY" = 1 ]; then
    intake_check "$total0" "$(kv wrk_requests "$WORK/warm.out")"
  else
    drain_check "$sent0" "$total0" "$sink0" "$t0" "$(kv wrk_requests "$WORK/warm.out")" "$EPOCHREALTIME" 0 >/dev/null || exit 1
  fi
  echo "warm-up done (${WARMUP}s each, $(kv wrk_requests "$WORK/warm.out") emails through the mailer)"
fi

WRK_CPU=(); HELLO_CPU=(); MAILER_CPU=(); HELLO_RPS=(); MAILER_RPS=(); MAILER_P50=(); MAILER_P99=(); HELLO_P50=(); HELLO_P99=(); DELIVERED=()
for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2)); then order=(hello mailer); else order=(mailer hello); fi
  for what in "${order[@]}"; do
    case $what in
      hello)
        c0=$(cpu_ticks "$HELLO_PID")
        run_wrk "$HELLO_PORT" "$DURATION" "$WORK/hello.out"
        cpu=$(us_per_request $(( $(cpu_ticks "$HELLO_PID") - c0 )) "$(kv wrk_requests "$WORK/hello.out")")
        HELLO_CPU+=("$cpu")
        WRK_CPU+=("$(awk -v s="$(kv child_cpu_s "$WORK/hello.out")" -v n="$(kv wrk_requests "$WORK/hello.out")" 'BEGIN{printf "%.0f", s * 1e6 / n}')")
        rps=$(kv wrk_rps "$WORK/hello.out"); p50=$(us_ms "$(kv wrk_p50_us "$WORK/hello.out")"); p99=$(us_ms "$(kv wrk_p99_us "$WORK/hello.out")")
        HELLO_RPS+=("$rps"); HELLO_P50+=("$p50"); HELLO_P99+=("$p99")
        printf 'round %d hello : %9s req/s  p50 %6s ms  p99 %6s ms  %4s µs CPU/request  (%s requests, load %s)\n' \
          "$round" "$rps" "$p50" "$p99" "$cpu" "$(kv wrk_requests "$WORK/hello.out")" "$(cut -d' ' -f1 /proc/loadavg)"
        ;;
      mailer)
        read -r _ sent0 _ total0 <<<"$(stats)"; sink0=$(sink_messages)
        t0=$EPOCHREALTIME
        c0=$(cpu_ticks "$MAILER_PID")
        run_wrk "$MAILER_PORT" "$DURATION" "$WORK/mailer.out"
        tend=$EPOCHREALTIME
        c1=$(cpu_ticks "$MAILER_PID")
        requests=$(kv wrk_requests "$WORK/mailer.out")
        rps=$(kv wrk_rps "$WORK/mailer.out"); p50=$(us_ms "$(kv wrk_p50_us "$WORK/mailer.out")"); p99=$(us_ms "$(kv wrk_p99_us "$WORK/mailer.out")")
        cpu=$(us_per_request $((c1 - c0)) "$requests")
        if [ "$INTAKE_ONLY" = 1 ]; then
          intake_check "$total0" "$requests"
          MAILER_RPS+=("$rps"); MAILER_P50+=("$p50"); MAILER_P99+=("$p99"); MAILER_CPU+=("$cpu")
          printf 'round %d mailer: %9s req/s  p50 %6s ms  p99 %6s ms  %4s µs CPU/request  (%s requests, all queued, load %s)\n' \
            "$round" "$rps" "$p50" "$p99" "$cpu" "$requests" "$(cut -d' ' -f1 /proc/loadavg)"
          continue
        fi
        read -r pending_end _ _ _ <<<"$(stats)"
        read -r delivered sent drain_s backlog_rate <<<"$(drain_check "$sent0" "$total0" "$sink0" "$t0" "$requests" "$tend" "$pending_end")" || exit 1
        [ -n "$delivered" ] || exit 1
        MAILER_RPS+=("$rps"); MAILER_P50+=("$p50"); MAILER_P99+=("$p99"); DELIVERED+=("$delivered"); MAILER_CPU+=("$cpu")
        printf 'round %d mailer: %9s req/s  p50 %6s ms  p99 %6s ms  %4s µs CPU/request  (%s requests, load %s)\n' \
          "$round" "$rps" "$p50" "$p99" "$cpu" "$requests" "$(cut -d' ' -f1 /proc/loadavg)"
        printf '         delivered %s msgs/s (%s sent, = smtp-sink count; queue %s at the end of the load, drained %ss later; backlog drain rate %s msgs/s)\n' \
          "$delivered" "$sent" "$pending_end" "$drain_s" "$backlog_rate"
        ;;
    esac
  done
done

m_hello=$(printf '%s\n' "${HELLO_RPS[@]}" | median)
m_mailer=$(printf '%s\n' "${MAILER_RPS[@]}" | median)
echo "median hello_req_per_s=$m_hello p50_ms=$(printf '%s\n' "${HELLO_P50[@]}" | median) p99_ms=$(printf '%s\n' "${HELLO_P99[@]}" | median) cpu_us_per_req=$(printf '%s\n' "${HELLO_CPU[@]}" | median)"
echo "median mailer_req_per_s=$m_mailer p50_ms=$(printf '%s\n' "${MAILER_P50[@]}" | median) p99_ms=$(printf '%s\n' "${MAILER_P99[@]}" | median) cpu_us_per_req=$(printf '%s\n' "${MAILER_CPU[@]}" | median)"
if [ "$INTAKE_ONLY" = 0 ]; then
  echo "median delivered_msgs_per_s=$(printf '%s\n' "${DELIVERED[@]}" | median)"
  echo "smtp-sink counted $(sink_messages) messages in all, as many as the outbox sent"
fi

if [ -n "$SMTP_BENCH" ]; then
  # SMTP alone, through the same pool code, into the same smtp-sink: the rate the queue could drain at.
  sink0=$(sink_messages)
  sink_ticks0=$(cpu_ticks "$SINK_PID")
  t0=$EPOCHREALTIME
  smtp_messages=20000
  with_cpu "$WORK/smtp.out" "$SMTP_BENCH" --host 127.0.0.1 --port "$SMTP_PORT" --messages "$smtp_messages" --connections 4 --size 4096 \
    || { echo "smtp-bench failed:" >&2; tail -5 "$WORK/smtp.out" >&2; exit 1; }
  t1=$EPOCHREALTIME
  sink_ticks=$(( $(cpu_ticks "$SINK_PID") - sink_ticks0 ))
  echo "smtp-only (smtp-bench --messages $smtp_messages --connections 4 --size 4096, same smtp-sink): $(kv msgs_per_s "$WORK/smtp.out") msgs/s (sink +$(( $(sink_messages) - sink0 )))"

  # The machine's budget: what the other processes of this benchmark cost per email, measured in
  # this run, and so the most any mailer could reach on these cores. A mailer must at least serve
  # the HTTP request (http-hello's cost, a route that does nothing) and speak SMTP for the message
  # (smtp-bench's cost, the same client with pooled, pipelined sessions), while wrk and smtp-sink
  # take their share of the same cores. smtp-bench's start-up (a few ms) counts in its per-message
  # figure, about 1 %.
  hz=$(getconf CLK_TCK)
  awk -v cores="$(nproc)" -v hello="$(printf '%s\n' "${HELLO_CPU[@]}" | median)" -v wrk="$(printf '%s\n' "${WRK_CPU[@]}" | median)" \
      -v bench_s="$(kv child_cpu_s "$WORK/smtp.out")" -v sink_s="$(awk -v t="$sink_ticks" -v hz="$hz" 'BEGIN{print t / hz}')" \
      -v wall="$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')" -v hello_rps="$m_hello" -v n="$smtp_messages" 'BEGIN{
    bench = bench_s * 1e6 / n; sink = sink_s * 1e6 / n;
    per_email = hello + wrk + bench + sink; most = cores * 1e6 / per_email;
    printf "machine budget (%d cores = %d µs of CPU per second): per request http-hello %d µs + wrk %d µs; per message smtp-bench %d µs + smtp-sink %d µs\n", cores, cores * 1e6, hello, wrk, bench, sink;
    printf "  a mailer that only served HTTP and spoke SMTP (no JSON, templates, MIME, outbox or fsync), delivering as fast as it accepts: at most %.0f req/s = %.2f x hello\n", most, most / hello_rps;
    free = (cores * wall - bench_s - sink_s) * 1e6 / n;
    printf "  during smtp-only, smtp-bench and smtp-sink kept %.2f of %d cores busy: draining at that rate leaves %.0f µs of CPU per message for the outbox (claim, attempt record, commit; Benchmarks/outbox-floor measures its least)\n", (bench_s + sink_s) / wall, cores, free;
  }'
else
  echo "smtp-only: skipped (no Benchmarks/.build/release/smtp-bench; build it or pass --smtp-bench PATH)"
fi

if [ "$INTAKE_ONLY" = 1 ]; then
  awk -v m="$m_mailer" -v h="$m_hello" 'BEGIN{ printf "intake_only_ratio_vs_hello=%.2f (accepting alone; the >= 0.5 target is measured with delivery under way)\n", m / h }'
  exit 0
fi
awk -v m="$m_mailer" -v h="$m_hello" 'BEGIN{
  r = m / h;
  printf "ratio_vs_hello=%.2f (target >= 0.5 with fsync on: %s)\n", r, (r >= 0.5 ? "met" : "MISSED");
}'
