"""Three `mailer serve` replicas on one PostgreSQL outbox (MAILER_DATABASE_URL), as
`docker compose --profile ha up --scale mailer=3` runs them, delivering into one aiosmtpd server
that keeps each message's Message-ID:

1. 3,000 emails posted spread over the three, nothing crashes: every email arrives exactly once,
   every replica delivers a share, the three answer the same stats and mail log, and one
   Idempotency-Key posted 20 times concurrently across the replicas queues one email.
2. The same with one replica killed with SIGKILL mid-run: every accepted email arrives at least
   once (the dead replica's claims expire and the others send them), and the duplicates are at
   most what the dead replica had in flight.

Usage: replicas_interop.py PATH/TO/mailer   (PostgreSQL from Debian's package; see postgres_support)"""
import collections
import concurrent.futures
import email
import email.policy
import os
import signal
import sys
import tempfile
import threading
import time
import uuid

from aiosmtpd.controller import Controller

from interop_support import check, free_port, log_records, post, request, start_mailer, summary
from postgres_support import PostgresServer

TOTAL = 3000
REPLICAS = 3
POOL_SIZE = 4
# What one replica can have claimed and not recorded at once (OutboxWorker.claimLimit).
CLAIM_LIMIT = POOL_SIZE * 16
# How long a dead replica's claims hold before another replica takes them back.
LEASE_SECONDS = 10  # the least MAILER_DATABASE_LEASE takes


class MessageIDs:
    """Keeps the Message-ID of every message; `delay` seconds per message so a kill lands mid-run."""

    def __init__(self, delay=0.0):
        self.ids = []
        self.lock = threading.Lock()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            import asyncio
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.ids.append(parsed["Message-ID"])
        return "250 2.0.0 OK: queued"

    def count(self):
        with self.lock:
            return len(self.ids)


def get(port, path):
    status, _, answer = request(port, path)
    if status != 200:
        raise RuntimeError(f"GET {path} on port {port}: {status} {answer}")
    return answer


def start_replicas(binary, database_url, smtp_port, work, tag):
    env = {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_SENDER": "no-reply@example.com",
        "SMTP_OPPORTUNISTIC_TLS": "false", "SMTP_POOL_SIZE": str(POOL_SIZE),
        "MAILER_TEMPLATES_DIR": os.path.abspath("templates"), "MAILER_DATABASE_URL": database_url,
        "MAILER_DATABASE_LEASE": f"{LEASE_SECONDS}s", "MAILER_LOG_LEVEL": "info",
        "MAILER_PER_RECIPIENT_PER_HOUR": "0", "MAILER_RATE_LIMIT_PER_MINUTE": "0",
    }
    replicas = []
    for index in range(REPLICAS):
        port = free_port()
        log = os.path.join(work, f"{tag}-replica-{index + 1}.log")
        replicas.append({"port": port, "log": log,
                         "process": start_mailer(binary, dict(env, MAILER_PORT=str(port)), log)})
    return replicas


def post_all(replicas, total, alive):
    """Posts `total` verifications round-robin over the replicas `alive()` returns, 24 at a time;
    a request a replica could not answer (it was killed) goes to the next one, as a load
    balancer retries. Each email has its own Idempotency-Key, as a careful caller sends: a
    replica killed after storing an email but before answering must not make the retry queue a
    second one. Returns the ids answered 202."""
    run = uuid.uuid4().hex

    def send(number):
        for attempt in range(REPLICAS * 2):
            ports = alive()
            port = ports[(number + attempt) % len(ports)]
            try:
                status, _, answer = post(port, "/v1/emails/verification",
                                         {"to": f"user{number}@example.org", "code": str(number)}, wait=0,
                                         headers={"Idempotency-Key": f"{run}-{number}"})
            except OSError:
                continue
            if status == 202:
                return answer["id"]
            raise RuntimeError(f"POST to port {port}: {status} {answer}")
        raise RuntimeError(f"email {number}: no replica answered")

    with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
        return list(pool.map(send, range(total)))


def wait_sent(port, total, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        stats = get(port, "/v1/queue/stats")
        if stats["counts"]["sent"] >= total:
            return stats
        time.sleep(0.2)
    return get(port, "/v1/queue/stats")


def message_ids_of(port, total):
    """The Message-IDs of every sent email, through the paginated mail log."""
    ids, cursor = set(), None
    while True:
        path = "/v1/emails?status=sent&limit=500" + (f"&cursor={cursor}" if cursor else "")
        page = get(port, path)
        ids.update("<" + e["messageId"] + ">" for e in page["emails"])
        cursor = page.get("nextCursor")
        if not cursor or len(ids) >= total:
            return ids


def stop(replicas):
    for replica in replicas:
        process = replica["process"]
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except Exception:
                process.kill()


def nothing_crashes(binary, postgres, work):
    capture = MessageIDs()
    smtp_port = free_port()
    controller = Controller(capture, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    replicas = start_replicas(binary, postgres.database(), smtp_port, work, "steady")
    ports = [r["port"] for r in replicas]
    try:
        started = time.time()
        accepted = post_all(replicas, TOTAL, lambda: ports)
        check(f"{TOTAL} emails accepted (202), spread over {REPLICAS} replicas", len(accepted) == TOTAL)
        stats = wait_sent(ports[0], TOTAL, 120)
        check(f"all {TOTAL} recorded as sent ({time.time() - started:.1f} s)", stats["counts"]["sent"] == TOTAL, stats)
        received = collections.Counter(capture.ids)
        duplicates = {mid: n for mid, n in received.items() if n > 1}
        check(f"every email arrived exactly once ({len(received)} distinct Message-IDs, {capture.count()} messages)",
              len(received) == TOTAL and not duplicates, list(duplicates.items())[:5])
        check("the Message-IDs that arrived are the accepted emails'", message_ids_of(ports[1], TOTAL) == set(received))
        shares = [sum(1 for r in log_records(replica["log"]) if r.get("msg") == "email sent") for replica in replicas]
        check(f"every replica delivered a share ({shares})", all(shares) and sum(shares) == TOTAL, shares)
        counts = [get(port, "/v1/queue/stats")["counts"] for port in ports]
        check("the three replicas answer the same stats", counts[0] == counts[1] == counts[2], counts)
        some = accepted[TOTAL // 2]
        views = [get(port, f"/v1/emails/{some}")["status"] for port in ports]
        check(f"any replica shows any email ({views})", views == ["sent"] * REPLICAS, views)

        def keyed(index):
            return request_with_key(ports[index % REPLICAS], "replicas-interop-key")
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(keyed, range(20)))
        ids = {answer["id"] for status, answer in answers if status in (200, 202)}
        check(f"one Idempotency-Key posted 20 times across the replicas queues one email ({ids})",
              len(ids) == 1 and all(status in (200, 202) for status, _ in answers), answers[:3])
        stats = wait_sent(ports[2], TOTAL + 1, 30)
        check("and it is sent once", stats["counts"]["sent"] == TOTAL + 1, stats)
    finally:
        stop(replicas)
        controller.stop()


def request_with_key(port, key):
    import json
    import urllib.error
    import urllib.request
    from interop_support import authorization
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/emails/verification", method="POST",
        data=json.dumps({"to": "keyed@example.org", "code": "424242"}).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": key, **authorization()})
    try:
        with urllib.request.urlopen(req, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def one_replica_killed(binary, postgres, work):
    capture = MessageIDs(delay=0.005)
    smtp_port = free_port()
    controller = Controller(capture, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    database = postgres.database()
    replicas = start_replicas(binary, database, smtp_port, work, "killed")
    victim = replicas[1]
    try:
        posting = concurrent.futures.ThreadPoolExecutor(max_workers=1).submit(
            post_all, replicas, TOTAL, lambda: [r["port"] for r in replicas if r["process"].poll() is None])
        deadline = time.time() + 60
        while capture.count() < TOTAL // 5 and time.time() < deadline:
            time.sleep(0.005)
        os.kill(victim["process"].pid, signal.SIGKILL)
        victim["process"].wait(timeout=10)
        at_kill = capture.count()
        check(f"one replica killed with SIGKILL mid-run ({at_kill} of {TOTAL} delivered)", 0 < at_kill < TOTAL, at_kill)
        name = victim["log"]
        # Its claims name it "host/pid/random" and hold for the lease: still `sending` right after the kill.
        in_flight = int(postgres.sql(
            f"SELECT count(*) FROM messages WHERE state = 'sending' AND claimed_by LIKE '%/{victim['process'].pid}/%'",
            database.split("/")[-1].split("?")[0])[0][0])
        accepted = posting.result(timeout=300)
        check(f"all {TOTAL} emails accepted by the replicas alive, each once", len(set(accepted)) == TOTAL, len(set(accepted)))
        live = [r["port"] for r in replicas if r is not victim]
        stats = wait_sent(live[0], TOTAL, 120 + LEASE_SECONDS)
        check(f"all {TOTAL} recorded as sent by the two left", stats["counts"]["sent"] == TOTAL, stats)
        received = collections.Counter(capture.ids)
        expected = message_ids_of(live[1], TOTAL)
        check(f"every accepted email arrived at least once ({len(received)} distinct of {TOTAL})",
              len(expected) >= TOTAL and expected <= set(received), len(expected - set(received)))
        duplicates = sum(n - 1 for n in received.values())
        check(f"the killed replica had emails in flight ({in_flight}, at most its claim limit {CLAIM_LIMIT})",
              0 < in_flight <= CLAIM_LIMIT, in_flight)
        check(f"duplicates ({duplicates}) at most the {in_flight} the killed replica had in flight",
              duplicates <= in_flight, received.most_common(3))
        victims = sum(1 for r in log_records(name) if r.get("msg") == "email sent")
        check(f"the killed replica had delivered a share before it died ({victims})", victims > 0)
    finally:
        stop(replicas)
        controller.stop()


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="mailer-replicas-")
    postgres = PostgresServer(fsync=False)
    try:
        nothing_crashes(binary, postgres, work)
        one_replica_killed(binary, postgres, work)
    finally:
        postgres.stop()
    sys.exit(summary())


if __name__ == "__main__":
    main()
