#!/usr/bin/env python3
"""replicas-bench.py - delivered emails/s with 1, 2 and 3 `mailer serve` replicas sharing one
PostgreSQL outbox (MAILER_DATABASE_URL), next to 1 replica on the default SQLite outbox.

Each scenario gets a new database (or data folder), then:
  1. starts the replicas with SMTP_HOST/SMTP_PORT pointing at a port where nothing listens yet,
  2. posts --messages verifications spread round-robin over the replicas; each first attempt
     fails with ECONNREFUSED and the email waits as `deferred` (MAILER_RETRY_BASE_SECONDS=3600),
  3. starts Postfix's smtp-sink on that port and POSTs /v1/queue/flush to every replica at once,
  4. measures from the flush until GET /v1/queue/stats says every email is `sent`, and checks
     smtp-sink's message counter against it.
So the figure is the outbox's drain rate alone: no HTTP load competes with delivery.

Usage: Benchmarks/replicas-bench.py [--messages N] [--pool-size P] [--mailer PATH] [--replicas 1,2,3]
Needs: a release build of mailer (swift build -c release --product mailer), PostgreSQL from
Debian's package (apt-get install -y postgresql), Postfix's smtp-sink (apt-get install -y postfix),
python3. PostgreSQL runs with fsync on, as a production server does; the SQLite outbox as the
product ships (WAL, synchronous=FULL) on the disk under $TMPDIR."""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "Tests", "Interop"))
from interop_support import free_port, post, request, start_mailer  # noqa: E402
from postgres_support import PostgresServer  # noqa: E402


def stats(port):
    status, _, answer = request(port, "/v1/queue/stats")
    if status != 200:
        raise RuntimeError(f"GET /v1/queue/stats on {port}: {status} {answer}")
    return answer["counts"]


def wait_for(port, predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        counts = stats(port)
        if predicate(counts):
            return counts
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}: {stats(port)}")


def sink_messages(path):
    found = re.findall(r"mesg=(\d+)", open(path, errors="replace").read().replace("\r", "\n"))
    return int(found[-1]) if found else 0


def port_below_ephemeral_range():
    """A free port under Linux's ephemeral range (32768 and up by default): the replicas knock on
    the SMTP port while nothing listens there, and one of the thousands of connections of a run
    could otherwise get that very port as its own source port (a TCP self-connect) and keep
    smtp-sink from binding it."""
    import random
    import socket
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    for _ in range(100):
        port = random.randrange(10000, max(10001, low))
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    return free_port()


def scenario(mailer, label, replicas, database_url, messages, pool_size, work):
    smtp_port = port_below_ephemeral_range()
    env = {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_SENDER": "no-reply@example.com",
        "SMTP_OPPORTUNISTIC_TLS": "false", "SMTP_POOL_SIZE": str(pool_size),
        "MAILER_TEMPLATES_DIR": os.path.join(ROOT, "templates"), "MAILER_LOG_LEVEL": "error",
        "MAILER_RETRY_BASE_SECONDS": "3600",
        "MAILER_PER_RECIPIENT_PER_HOUR": "0", "MAILER_RATE_LIMIT_PER_MINUTE": "0",
    }
    if database_url:
        env["MAILER_DATABASE_URL"] = database_url
    processes, ports = [], []
    sink = None
    try:
        for index in range(replicas):
            port = free_port()
            processes.append(start_mailer(mailer, dict(env, MAILER_PORT=str(port)),
                                          os.path.join(work, f"{label}-{index + 1}.log")))
            ports.append(port)

        def send(number):
            status, _, answer = post(ports[number % replicas], "/v1/emails/verification",
                                     {"to": f"user{number}@example.org", "code": str(number)}, wait=0)
            if status != 202:
                raise RuntimeError(f"POST: {status} {answer}")
        with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
            list(pool.map(send, range(messages)))
        wait_for(ports[0], lambda c: c["deferred"] == messages, 120, f"{messages} deferred")

        sink_log = os.path.join(work, f"{label}-sink.out")
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        sink = subprocess.Popen(["/usr/sbin/smtp-sink", *user, "-c", "-4", f"127.0.0.1:{smtp_port}", "1024"],
                                stdout=open(sink_log, "w"), stderr=subprocess.STDOUT)
        time.sleep(0.3)
        if sink.poll() is not None:
            raise RuntimeError(f"smtp-sink did not start: {open(sink_log).read()}")
        cpu_before = sum(cpu_seconds(p.pid) for p in processes)
        machine_before = machine_ticks()
        started = time.time()
        with concurrent.futures.ThreadPoolExecutor(max_workers=replicas) as pool:
            answers = list(pool.map(lambda port: request(port, "/v1/queue/flush", method="POST")[0], ports))
        if any(status != 200 for status in answers):
            raise RuntimeError(f"flush answered {answers}")
        counts = wait_for(ports[0], lambda c: c["sent"] + c["failed"] == messages, 600, "the drain")
        elapsed = time.time() - started
        cpu = sum(cpu_seconds(p.pid) for p in processes) - cpu_before
        busy, total = (after - before for after, before in zip(machine_ticks(), machine_before))
        if counts["failed"]:
            raise RuntimeError(f"{counts['failed']} emails failed")
        time.sleep(0.5)
        arrived = sink_messages(sink_log)
        if arrived < messages:
            raise RuntimeError(f"smtp-sink counted {arrived} messages, the outbox says {messages} sent")
        return messages / elapsed, elapsed, cpu * 1e6 / messages, arrived, busy / total
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if sink:
            sink.terminate()
            sink.wait()


def machine_ticks():
    """(busy, total) clock ticks of all cores so far, from /proc/stat: how saturated the machine
    was (PostgreSQL, smtp-sink and the mailers share it)."""
    values = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--pool-size", type=int, default=4)
    parser.add_argument("--replicas", default="1,2,3")
    parser.add_argument("--mailer", default=os.path.join(ROOT, ".build", "release", "mailer"))
    options = parser.parse_args()
    mailer = os.path.abspath(options.mailer)
    if not os.access(mailer, os.X_OK):
        sys.exit(f"missing {mailer}: swift build -c release --product mailer")
    if not os.access("/usr/sbin/smtp-sink", os.X_OK):
        sys.exit("missing /usr/sbin/smtp-sink: apt-get install -y postfix")
    work = tempfile.mkdtemp(prefix="replicas-bench-")
    print(f"# replicas-bench: {os.cpu_count()} cores, {options.messages} emails per run, "
          f"SMTP_POOL_SIZE={options.pool_size} per replica, into smtp-sink", flush=True)
    rows = []
    postgres = PostgresServer(fsync=True)
    try:
        runs = [("sqlite", 1, None)] + [("postgres", int(n), "pg") for n in options.replicas.split(",") if n]
        for kind, replicas, database in runs:
            url = postgres.database() if database else None
            rate, elapsed, cpu, arrived, busy = scenario(mailer, f"{kind}-{replicas}", replicas, url,
                                                   options.messages, options.pool_size, work)
            rows.append((kind, replicas, rate, elapsed, cpu, busy))
            print(f"{kind:8} x{replicas}: delivered {rate:8.1f} msgs/s ({options.messages} in {elapsed:.2f} s, "
                  f"mailers' CPU {cpu:.0f} µs/email, machine {busy:.0%} busy, smtp-sink counted {arrived})", flush=True)
    finally:
        postgres.stop()
    print("\n| outbox | replicas | delivered msgs/s | mailers' CPU µs/email | machine busy |\n|---|---|---|---|---|")
    for kind, replicas, rate, _, cpu, busy in rows:
        print(f"| {kind} | {replicas} | {rate:,.0f} | {cpu:.0f} | {busy:.0%} |")


if __name__ == "__main__":
    main()
