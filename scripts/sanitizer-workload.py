#!/usr/bin/env python3
"""A concurrent workload through a sanitizer-built `mailer serve` (scripts/sanitize.sh --short).

Starts the given binary the way Tests/Interop does (own outbox, API token, unprivileged when
root) with an aiosmtpd sink that defers (451) the first attempt of every "defer+..." recipient,
then: 300 POST /v1/emails/verification from 24 threads (a third with `Prefer: wait=10`) while
other threads read /v1/emails, /v1/queue/stats, /metrics and /readyz and a SIGHUP reloads the
templates; POST /v1/queue/flush makes the deferred ones due; waits until the outbox has sent
every email; SIGTERM must stop the service with exit status 0. The service's stdout and stderr
(where the sanitizer reports) go to LOG. Prints 'N passed, N failed', exits non-zero on failure.

Usage: sanitizer-workload.py PATH/TO/mailer LOG   (from the repository root)
"""
import concurrent.futures
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Interop"))
from aiosmtpd.controller import Controller  # noqa: E402

from interop_support import check, free_port, post, request, start_mailer, summary  # noqa: E402

EMAILS = 300


class DeferOnce:
    """Accepts everything except the first attempt at each "defer+" recipient (451)."""

    def __init__(self):
        self.seen = set()
        self.delivered = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if address.startswith("defer+") and address not in self.seen:
                self.seen.add(address)
                return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.delivered += 1
        return "250 2.0.0 OK"


def main(binary, log_path):
    handler = DeferOnce()
    smtp_port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    port = free_port()
    env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_SENDER": "no-reply@example.com",
           "SMTP_OPPORTUNISTIC_TLS": "false", "MAILER_PORT": str(port),
           "MAILER_TEMPLATES_DIR": os.path.abspath("templates"),
           # The sanitizers slow everything down several times: keep the pool small and busy.
           "SMTP_POOL_SIZE": "3"}
    mailer = start_mailer(binary, env, log_path)
    try:
        def send(i):
            to = f"defer+{i}@example.org" if i % 10 == 0 else f"user{i}@example.org"
            body = {"to": to, "code": f"{100000 + i}"}
            if i % 3 == 0:
                return post(port, "/v1/emails/verification", body, wait=10)[0]
            return post(port, "/v1/emails/verification", body, wait=0)[0]

        stop_readers = threading.Event()

        def read_loop():
            statuses = []
            while not stop_readers.is_set():
                for path in ("/v1/emails?limit=20", "/v1/queue/stats", "/readyz"):
                    statuses.append(request(port, path)[0])
            return statuses

        with concurrent.futures.ThreadPoolExecutor(max_workers=28) as pool:
            readers = [pool.submit(read_loop) for _ in range(3)]
            sends = [pool.submit(send, i) for i in range(EMAILS)]
            mailer.send_signal(signal.SIGHUP)
            statuses = [future.result() for future in sends]
            stop_readers.set()
            read_statuses = [status for reader in readers for status in reader.result()]
        check(f"{EMAILS} concurrent POST /v1/emails/verification answered 200/202",
              all(status in (200, 202) for status in statuses), sorted(set(statuses)))
        check(f"{len(read_statuses)} concurrent reads answered 200 (readyz may say 503 while SMTP defers)",
              all(status in (200, 503) for status in read_statuses), sorted(set(read_statuses)))

        status, _, flushed = post(port, "/v1/queue/flush", {}, wait=0)
        check("POST /v1/queue/flush answers 200", status == 200, flushed)
        deadline = time.time() + 300
        counts = {}
        while time.time() < deadline:
            counts = request(port, "/v1/queue/stats")[2]["counts"]
            if counts["queued"] + counts["deferred"] + counts["sending"] == 0:
                break
            if counts["deferred"]:
                post(port, "/v1/queue/flush", {}, wait=0)
            time.sleep(0.5)
        check("the outbox sends every email (after one deferral for each defer+ recipient)",
              counts.get("sent") == EMAILS and counts.get("failed") == 0, counts)
        check("the sink received every email", handler.delivered == EMAILS, handler.delivered)
    finally:
        mailer.send_signal(signal.SIGTERM)
        try:
            code = mailer.wait(timeout=60)
        except Exception:
            mailer.kill()
            code = mailer.wait()
        controller.stop()
    check("SIGTERM stops the service with exit status 0", code == 0, code)
    return summary()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
