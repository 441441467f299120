#!/usr/bin/env python3
"""DKIM interoperability: messages signed by the real `mailer serve` verified by dkimpy.

For an RSA (2048) and an Ed25519 key made by openssl, starts `mailer serve` with DKIM_DOMAIN,
DKIM_SELECTOR and the key, sends an email with non-ASCII content to aiosmtpd, and verifies what
arrived with dkimpy's `dkim.verify`, the public key supplied locally: the TXT record the mailer
logs at start-up is what the DNS lookup returns. A tampered copy must fail. Prints
'N passed, N failed' and exits non-zero on any failure.

Usage: dkim_interop.py PATH/TO/mailer   (from the repository root; needs aiosmtpd, dkimpy, pynacl, openssl)
"""
import os
import subprocess
import sys
import tempfile

import dkim
from aiosmtpd.controller import Controller

from interop_support import Capture, check, free_port, log_records, post, start_mailer, summary

def make_key(directory, kind):
    path = os.path.join(directory, f"{kind}.pem")
    if kind == "rsa":
        args = ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path]
    else:
        args = ["openssl", "genpkey", "-algorithm", "ed25519", "-out", path]
    subprocess.run(args, check=True, capture_output=True)
    os.chmod(path, 0o644)   # the mailer runs as an unprivileged user here
    return path


def case(binary, work, capture, smtp_port, kind, inline):
    key_file = make_key(work, kind)
    selector = f"sel-{kind}"
    env = {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_SENDER": "Acme Ünïcode <no-reply@acme.example>",
        "SMTP_OPPORTUNISTIC_TLS": "false", "MAILER_PORT": str(free_port()), "MAILER_TEMPLATES_DIR": "templates",
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
        status, _, answer = post(int(env["MAILER_PORT"]), "/v1/emails/invitation", {
            "to": "Zoë Ärger <zoe@example.org>", "code": "ab12", "inviterName": "Ada Lovelace 日本語",
            "organizationName": "Ωmega — עברית 🚀",
        })
        check(f"{kind}: email sent (HTTP {status})", status == 200, answer)
        if not capture.wait_for(before + 1):
            check(f"{kind}: message arrived", False)
            return
        message = capture.messages[-1]["content"]
        records = log_records(log_path)
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
            os.chmod(work, 0o755)
            case(binary, work, capture, smtp_port, "rsa", inline=True)
            case(binary, work, capture, smtp_port, "ed25519", inline=False)
    finally:
        controller.stop()
    sys.exit(summary())


if __name__ == "__main__":
    main()
