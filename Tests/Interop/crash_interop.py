#!/usr/bin/env python3
"""Crash test of the outbox: nothing accepted is ever lost.

200 emails are accepted while the SMTP server is down (each deferred after its first attempt).
The server (aiosmtpd, slowed a little per message) comes up, the queue is flushed, and while the
mailer delivers, it is killed with SIGKILL. Restarted on the same data folder, it must deliver the
rest: every accepted email arrives at least once, and the duplicates (same Message-ID) are at most
the emails that were in flight at the kill: those the restart finds `sending` and queues again,
which are at most what the worker claims ahead (pool size x 16). Prints 'N passed, N failed'.

Usage: crash_interop.py PATH/TO/mailer   (from the repository root; needs aiosmtpd)
"""
import asyncio
import collections
import email
import email.policy
import json
import os
import signal
import sys
import tempfile
import time

from aiosmtpd.controller import Controller

from interop_support import check, free_port, post, request, start_mailer, summary

TOTAL = 200
POOL_SIZE = 4
CLAIM_LIMIT = POOL_SIZE * 16  # OutboxWorker.claimAheadFactor


class SlowCapture:
    """Keeps each message's Message-ID; 20 ms per message so that the kill lands mid-delivery."""

    def __init__(self):
        self.message_ids = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.02)
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.message_ids.append(parsed["Message-ID"])
        return "250 2.0.0 OK: queued"


def get(port, path):
    status, _, answer = request(port, path)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} {answer}")
    return answer


def main():
    binary = os.path.abspath(sys.argv[1])
    smtp_port = free_port()
    data = tempfile.mkdtemp(prefix="mailer-crash-")
    os.chmod(data, 0o777)
    work = tempfile.mkdtemp(prefix="mailer-crash-logs-")
    env = {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_SENDER": "no-reply@example.com",
        "SMTP_OPPORTUNISTIC_TLS": "false", "SMTP_POOL_SIZE": str(POOL_SIZE), "MAILER_TEMPLATES_DIR": os.path.abspath("templates"),
        "MAILER_DATA_DIR": data, "MAILER_RETRY_BASE_SECONDS": "600",
    }
    http_port = free_port()
    mailer = start_mailer(binary, dict(env, MAILER_PORT=str(http_port)), os.path.join(work, "mailer-1.log"))
    capture = SlowCapture()
    controller = None
    restarted = None
    try:
        accepted = 0
        for number in range(TOTAL):
            status, _, answer = post(http_port, "/v1/emails/verification", {"to": f"user{number}@example.org", "code": str(number)}, wait=0)
            accepted += status == 202
        check(f"server down: all {TOTAL} emails accepted (202)", accepted == TOTAL, accepted)
        deadline = time.time() + 30
        while time.time() < deadline and get(http_port, "/v1/queue/stats")["counts"]["deferred"] < TOTAL:
            time.sleep(0.1)
        stats = get(http_port, "/v1/queue/stats")
        check(f"server down: all {TOTAL} deferred after their first attempt", stats["counts"]["deferred"] == TOTAL, stats)

        controller = Controller(capture, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        flushed, _, _ = request(http_port, "/v1/queue/flush", method="POST")
        check("server back: flush answered", flushed == 200)
        deadline = time.time() + 30
        while len(capture.message_ids) < 40 and time.time() < deadline:
            time.sleep(0.005)
        os.kill(mailer.pid, signal.SIGKILL)
        mailer.wait(timeout=10)
        at_kill = len(capture.message_ids)
        check("killed with SIGKILL mid-delivery", 0 < at_kill < TOTAL, at_kill)

        http_port = free_port()
        restarted = start_mailer(binary, dict(env, MAILER_PORT=str(http_port)), os.path.join(work, "mailer-2.log"))
        deadline = time.time() + 60
        while time.time() < deadline and get(http_port, "/v1/queue/stats")["counts"]["sent"] < TOTAL:
            time.sleep(0.1)
        stats = get(http_port, "/v1/queue/stats")
        check(f"after the restart: all {TOTAL} recorded as sent", stats["counts"]["sent"] == TOTAL, stats)
        sent = get(http_port, f"/v1/emails?status=sent&limit=500")["emails"]
        accepted_ids = {"<" + e["messageId"] + ">" for e in sent}
        received = collections.Counter(capture.message_ids)
        check(f"every accepted email arrived at least once ({len(set(received))} distinct of {TOTAL})",
              len(accepted_ids) == TOTAL and accepted_ids <= set(received), len(accepted_ids - set(received)))
        duplicates = sum(count - 1 for count in received.values())
        log = open(os.path.join(work, "mailer-2.log")).read()
        recovered = [json.loads(l) for l in log.splitlines() if "queued again" in l]
        in_flight = recovered[0].get("count", 0) if recovered else 0
        check(f"the restart says how many interrupted emails it queued again ({in_flight}, at most {CLAIM_LIMIT})",
              0 < in_flight <= CLAIM_LIMIT, recovered)
        check(f"duplicates ({duplicates}) at most the {in_flight} in flight at the kill",
              duplicates <= in_flight, received.most_common(5))
    finally:
        for process in (mailer, restarted):
            if process and process.poll() is None:
                process.terminate()
                process.wait(timeout=15)
        if controller:
            controller.stop()
    sys.exit(summary())


if __name__ == "__main__":
    main()
