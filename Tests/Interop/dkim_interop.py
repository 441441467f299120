#!/usr/bin/env python3
"""DKIM interoperability: messages signed by the real `mailer serve` verified by dkimpy.

For an RSA (2048) and an Ed25519 key made by openssl, starts `mailer serve` with DKIM_DOMAIN,
DKIM_SELECTOR and the key, sends an email with non-ASCII content to aiosmtpd, and verifies what
arrived with dkimpy's `dkim.verify`, the public key supplied locally: the TXT record the mailer
logs at start-up is what the DNS lookup returns. A tampered copy must fail. Prints
'N passed, N failed' and exits non-zero on any failure.

Usage: dkim_interop.py PATH/TO/mailer   (from the repository root; needs aiosmtpd, dkimpy, pynacl, openssl)
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import dkim
from aiosmtpd.controller import Controller

results = []


def check(name, condition, detail=""):
    condition = bool(condition)
    results.append(condition)
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f": {str(detail)[:600]}"), flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Capture:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(envelope.original_content)
        return "250 2.0.0 OK: queued"


def start_mailer(binary, env_overrides, log_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "MAILER_", "DKIM_"))}
    env.update(env_overrides)
    log = open(log_path, "w")
    process = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    port = int(env_overrides["MAILER_PORT"])
    deadline = time.time() + 20
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mailer exited with {process.returncode}: {open(log_path).read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("mailer did not become healthy: " + open(log_path).read())


def post(port, path, body, wait=10):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Prefer": f"wait={wait}"})
    try:
        with urllib.request.urlopen(request, timeout=wait + 10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def make_key(directory, kind):
    path = os.path.join(directory, f"{kind}.pem")
    if kind == "rsa":
        args = ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path]
    else:
        args = ["openssl", "genpkey", "-algorithm", "ed25519", "-out", path]
    subprocess.run(args, check=True, capture_output=True)
    return path


def case(binary, work, capture, smtp_port, kind, inline):
    key_file = make_key(work, kind)
    selector = f"sel-{kind}"
    env = {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_SENDER": "Acme Ünïcode <no-reply@acme.example>",
        "SMTP_OPPORTUNISTIC_TLS": "false", "MAILER_PORT": str(free_port()), "MAILER_TEMPLATES_DIR": "templates",
        "MAILER_DATA_DIR": os.path.join(work, f"data-{kind}"),
        "DKIM_DOMAIN": "acme.example", "DKIM_SELECTOR": selector,
    }
    if inline:
        # As in an env file: the PEM on one line with literal \n.
        env["DKIM_PRIVATE_KEY"] = open(key_file).read().strip().replace("\n", "\\n")
    else:
        env["DKIM_PRIVATE_KEY_FILE"] = key_file
    log_path = os.path.join(work, f"mailer-{kind}.log")
    mailer = start_mailer(binary, env, log_path)
    try:
        before = len(capture.messages)
        status, answer = post(int(env["MAILER_PORT"]), "/v1/emails/invitation", {
            "to": "Zoë Ärger <zoe@example.org>", "code": "ab12", "inviterName": "Ada Lovelace 日本語",
            "organizationName": "Ωmega — עברית 🚀",
        })
        check(f"{kind}: email sent (HTTP {status})", status == 200, answer)
        deadline = time.time() + 5
        while len(capture.messages) == before and time.time() < deadline:
            time.sleep(0.05)
        if len(capture.messages) == before:
            check(f"{kind}: message arrived", False)
            return
        message = capture.messages[-1]
        records = [json.loads(l) for l in open(log_path) if l.strip().startswith("{")]
        published = next((r for r in records if r.get("msg", "").startswith("DKIM signing on")), None)
        check(f"{kind}: start-up log names the TXT record", published and published.get("dns_name") == f"{selector}._domainkey.acme.example", published)
        txt = (published or {}).get("dns_txt", "").encode()
        looked_up = []

        def dnsfunc(name, timeout=5):
            looked_up.append(name)
            return txt if name.rstrip(b".") == f"{selector}._domainkey.acme.example".encode() else None

        header = message.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
        algorithm = "ed25519-sha256" if kind == "ed25519" else "rsa-sha256"
        check(f"{kind}: signature header a={algorithm}, relaxed/relaxed", f"a={algorithm};" in header and "c=relaxed/relaxed;" in header, header[:300])
        check(f"{kind}: no line over 998 octets", all(len(line) <= 998 for line in message.split(b"\r\n")))
        verified = dkim.verify(message, dnsfunc=dnsfunc)
        check(f"{kind}: dkimpy verifies the signature", verified, header[:600])
        check(f"{kind}: dkimpy looked up the selector record", looked_up, looked_up)
        tampered = message.replace(b"ab12", b"zz99", 1)
        check(f"{kind}: a tampered body fails verification", tampered != message and not dkim.verify(tampered, dnsfunc=dnsfunc))
        log_text = open(log_path).read()
        check(f"{kind}: the private key is not in the log", "PRIVATE KEY" not in log_text and open(key_file).read().splitlines()[1][:20] not in log_text)
        if kind == "rsa":
            print("\n--- one signed message (headers) ---\n" + header + "\n--- dkimpy verdict: " + str(verified) + " ---\n", flush=True)
    finally:
        mailer.terminate()
        mailer.wait(timeout=10)


def main():
    binary = os.path.abspath(sys.argv[1])
    capture = Capture()
    smtp_port = free_port()
    controller = Controller(capture, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as work:
            case(binary, work, capture, smtp_port, "rsa", inline=True)
            case(binary, work, capture, smtp_port, "ed25519", inline=False)
    finally:
        controller.stop()
    failed = results.count(False)
    print(f"{results.count(True)} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
