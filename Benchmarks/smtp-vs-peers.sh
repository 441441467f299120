#!/usr/bin/env bash
# smtp-vs-peers.sh - SMTP client throughput against its peers, in one run, into Postfix smtp-sink.
#
# Usage: Benchmarks/smtp-vs-peers.sh [--messages N] [--connections C] [--size BYTES] [--rounds R]
#                                    [--memory-messages M] [--no-build]
#   --messages N          messages per run (default 20000)
#   --connections C       sessions for smtp-source -s C and smtp-bench --connections C (default 4)
#   --size BYTES          message size (default 4096): smtp-source -l BYTES (body; it adds ~200
#                         bytes of headers), smtp-bench/smtplib-bench --size BYTES (all included)
#   --rounds R            rounds; the order of the four runs alternates between rounds (default 3)
#   --memory-messages M   the memory run's message count (default 100000; 0 skips it)
#   --no-build            use the smtp-bench already built in release
#
# Each round runs, into one smtp-sink on a free 127.0.0.1 port:
#   smtp-source -d -s C -m N -l BYTES     Postfix, C reused sessions, no pipelining (timed here)
#   smtp-bench --connections C            ours: SMTPConnectionPool of C sessions (PIPELINING)
#   smtplib-bench.py                      Python smtplib, ONE reused connection
#   smtp-bench --connections 1            ours over one session
# then prints the medians, ratio_vs_smtp_source= (ours C / smtp-source C) and
# ratio_vs_smtplib= (ours 1 / smtplib 1), and the memory run's RSS at 10 % and at the end.
# Every run must end with exit status 0 and smtp-sink's counter must have grown by exactly the
# number of messages sent: a run that fails or loses messages stops the script (exit 1).
# Needs: Swift 6.3, postfix (/usr/sbin/smtp-sink, /usr/sbin/smtp-source), python3 (stdlib only).
set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
N=20000
C=4
SIZE=4096
ROUNDS=3
MEMORY_N=100000
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) N=$2; shift ;;
    --connections) C=$2; shift ;;
    --size) SIZE=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --memory-messages) MEMORY_N=$2; shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

SINK_BIN=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
SOURCE_BIN=$(command -v smtp-source || echo /usr/sbin/smtp-source)
for b in "$SINK_BIN" "$SOURCE_BIN"; do
  [ -x "$b" ] || {
    echo "missing $b; install Postfix's tools without configuring an MTA:" >&2
    echo '  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections' >&2
    echo '  DEBIAN_FRONTEND=noninteractive apt-get install -y postfix' >&2
    exit 2
  }
done
PY=$(command -v python3) || { echo "python3 not found" >&2; exit 2; }

if [ "$BUILD" = 1 ]; then
  echo "building smtp-bench (release)..." >&2
  swift build -c release --package-path "$HERE" --product smtp-bench >&2 || exit 1
fi
BIN="$(swift build -c release --package-path "$HERE" --show-bin-path)/smtp-bench"
[ -x "$BIN" ] || { echo "missing $BIN (run without --no-build)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/smtp-vs-peers.XXXXXX")
SINK_PID=""
cleanup() {
  if [ -n "$SINK_PID" ] && kill -0 "$SINK_PID" 2>/dev/null; then
    kill -TERM "$SINK_PID" 2>/dev/null
    wait "$SINK_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- smtp-sink ---------------------------------------------------------------
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
USER_OPT=()
[ "$(id -u)" = 0 ] && USER_OPT=(-u nobody)   # smtp-sink refuses to run as root without -u
# -c: counters ("sess=.. quit=.. mesg=..") on stdout, to check what arrived. PIPELINING is
# announced by default.
"$SINK_BIN" "${USER_OPT[@]}" -c -4 127.0.0.1:"$PORT" 1024 >"$WORK/sink.out" 2>"$WORK/sink.err" &
SINK_PID=$!
for _ in $(seq 100); do
  "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5).close()' "$PORT" 2>/dev/null && break
  sleep 0.05
done
kill -0 "$SINK_PID" 2>/dev/null || { echo "smtp-sink did not start:" >&2; cat "$WORK/sink.err" >&2; exit 1; }
# The probe connections above count as sessions, not messages.

sink_messages() {  # the last "mesg=" counter smtp-sink printed
  tr '\r' '\n' <"$WORK/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1 | sed 's/^$/0/'
}

# check_sink BEFORE EXPECTED LABEL: smtp-sink's counter must reach BEFORE+EXPECTED (it prints
# when "." is answered and when a session ends; wait up to 3 s for the last update).
check_sink() {
  local before=$1 expected=$2 label=$3 now
  for _ in $(seq 60); do
    now=$(sink_messages)
    [ "$now" -ge $((before + expected)) ] && break
    sleep 0.05
  done
  if [ "$now" -ne $((before + expected)) ]; then
    echo "smtp-sink received $((now - before)) messages from $label, expected $expected" >&2
    exit 1
  fi
}

rate_line() { sed -n 's/^msgs_per_s=\([0-9.]*\)$/\1/p' "$1" | tail -1; }

# run_* -> echo msgs/s; exit 1 on any failure
run_source() {
  local before t0 t1 rc
  before=$(sink_messages)
  t0=$EPOCHREALTIME
  "$SOURCE_BIN" -d -s "$C" -m "$N" -l "$SIZE" -f bench@example.test -t sink@example.test \
    127.0.0.1:"$PORT" >"$WORK/run.out" 2>&1
  rc=$?
  t1=$EPOCHREALTIME
  [ $rc -eq 0 ] || { echo "smtp-source failed ($rc):" >&2; tail -5 "$WORK/run.out" >&2; exit 1; }
  check_sink "$before" "$N" "smtp-source"
  awk -v m="$N" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f\n", m/(b-a)}'
}

run_ours() {  # CONNECTIONS [MESSAGES]
  local conns=$1 msgs=${2:-$N} before rc
  before=$(sink_messages)
  "$BIN" --host 127.0.0.1 --port "$PORT" --messages "$msgs" --connections "$conns" --size "$SIZE" \
    >"$WORK/ours.out" 2>&1
  rc=$?
  [ $rc -eq 0 ] || { echo "smtp-bench failed ($rc):" >&2; tail -15 "$WORK/ours.out" >&2; exit 1; }
  check_sink "$before" "$msgs" "smtp-bench --connections $conns"
  rate_line "$WORK/ours.out"
}

run_smtplib() {
  local before rc
  before=$(sink_messages)
  "$PY" "$HERE/smtplib-bench.py" --port "$PORT" --messages "$N" --size "$SIZE" >"$WORK/py.out" 2>&1
  rc=$?
  [ $rc -eq 0 ] || { echo "smtplib-bench failed ($rc):" >&2; tail -5 "$WORK/py.out" >&2; exit 1; }
  check_sink "$before" "$N" "smtplib-bench"
  rate_line "$WORK/py.out"
}

median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "nan"; exit}; if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

echo "# smtp-vs-peers: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), messages=$N connections=$C size=$SIZE rounds=$ROUNDS, smtp-sink on 127.0.0.1:$PORT"
echo "# $("$PY" --version 2>&1), $(swift --version 2>/dev/null | head -1)"

SOURCE=(); OURS_C=(); SMTPLIB=(); OURS_1=()
for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2)); then order=(source ours_c smtplib ours_1); else order=(ours_1 smtplib ours_c source); fi
  declare -A r=()
  for what in "${order[@]}"; do
    case $what in
      source) r[source]=$(run_source) || exit 1 ;;
      ours_c) r[ours_c]=$(run_ours "$C") || exit 1 ;;
      smtplib) r[smtplib]=$(run_smtplib) || exit 1 ;;
      ours_1) r[ours_1]=$(run_ours 1) || exit 1 ;;
    esac
  done
  SOURCE+=("${r[source]}"); OURS_C+=("${r[ours_c]}"); SMTPLIB+=("${r[smtplib]}"); OURS_1+=("${r[ours_1]}")
  printf 'round %d (%s; load %s): smtp-source -d -s %d: %s  ours %d conns: %s  smtplib 1 conn: %s  ours 1 conn: %s msgs/s\n' \
    "$round" "${order[*]}" "$(cut -d' ' -f1 /proc/loadavg)" "$C" "${r[source]}" "$C" "${r[ours_c]}" "${r[smtplib]}" "${r[ours_1]}"
  unset r
done

m_source=$(printf '%s\n' "${SOURCE[@]}" | median)
m_ours_c=$(printf '%s\n' "${OURS_C[@]}" | median)
m_smtplib=$(printf '%s\n' "${SMTPLIB[@]}" | median)
m_ours_1=$(printf '%s\n' "${OURS_1[@]}" | median)
echo "median smtp_source_${C}_sessions_msgs_per_s=$m_source"
echo "median ours_${C}_connections_msgs_per_s=$m_ours_c"
echo "median smtplib_1_connection_msgs_per_s=$m_smtplib"
echo "median ours_1_connection_msgs_per_s=$m_ours_1"

if [ "$MEMORY_N" -gt 0 ]; then
  run_ours "$C" "$MEMORY_N" >/dev/null || exit 1
  echo "memory run ($MEMORY_N messages, $C connections): $(grep -E '^(rss_kb_at_10pct|rss_kb_at_end|msgs_per_s)=' "$WORK/ours.out" | tr '\n' ' ')"
fi
echo "smtp-sink counted $(sink_messages) messages in all, as expected"

awk -v s="$m_source" -v oc="$m_ours_c" -v p="$m_smtplib" -v o1="$m_ours_1" 'BEGIN{
  rs = oc / s; rp = o1 / p;
  printf "ratio_vs_smtp_source=%.2f (target >= 1.0: %s)\n", rs, (rs >= 1.0 ? "met" : "MISSED");
  printf "ratio_vs_smtplib=%.2f (target >= 1.5: %s)\n", rp, (rp >= 1.5 ? "met" : "MISSED");
}'
