# Process helpers shared by scripts/http-fuzz.sh, scripts/soak.sh and Benchmarks/http-vs-hello.sh,
# which start servers on loopback and must stop them whatever happens. Needs $PY (a python3).

# stop_pid PID: SIGTERM, up to 10 s to exit, then SIGKILL.
stop_pid() {
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1" 2>/dev/null
    for _ in $(seq 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
  fi
}

# free_port: a loopback port nobody listens on now, below the ephemeral range (free_port.py says why).
PROCESSES_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
free_port() { "$PY" "$PROCESSES_LIB/free_port.py"; }

# wait_port PORT PID LABEL LOG: until PORT accepts (20 s at most); exits 1 with LOG's tail when the
# process PID ends first or the time runs out.
wait_port() {
  for _ in $(seq 400); do
    "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5).close()' "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.05
  done
  echo "$3 did not start:" >&2; tail -20 "$4" >&2; exit 1
}
