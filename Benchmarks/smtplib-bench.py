#!/usr/bin/env python3
"""Python smtplib over ONE reused connection: the peer smtp-bench --connections 1 is compared with.

  smtplib-bench.py --port P [--host 127.0.0.1] [--messages 20000] [--size 4096] [--warmup 0]

Sends the same message as smtp-bench (same headers, body lines of at most 78 characters, about
--size bytes in all) with smtplib.SMTP.sendmail in a loop on one plaintext connection (EHLO once,
QUIT at the end). Standard library only. Prints elapsed_s, failures and, last, msgs_per_s=<X>;
exits 1 if any message failed.
"""

import argparse
import smtplib
import sys
import time

PARAGRAPH = [
    "Hello Ada,",
    "",
    "Thank you for your order. The parcel with the items below left our warehouse",
    "this morning and should reach you within two to three working days.",
    "",
    "  1 x Analytical Engine, brass, assembled ............................ 1",
    "  2 x Punched cards, pack of 500 ....................................... 2",
    ".  A line that starts with a dot, so the dot-stuffing path is taken too.",
    "",
    "Track the parcel: https://shop.example.test/orders/100234/track?lang=en",
    "If anything is missing, answer this email and we will sort it out.",
    "",
]


def make_message(size, sender, recipient):
    """Byte for byte what smtp-bench's makeMessage builds."""
    out = bytearray(
        ("Date: Mon, 01 Dec 2025 07:00:00 +0000\r\n"
         "From: Example Shop <%s>\r\n"
         "To: Ada Lovelace <%s>\r\n"
         "Subject: Your order #100234 has shipped\r\n"
         "Message-ID: <bench.100234.1764572400@example.test>\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=utf-8\r\n"
         "Content-Transfer-Encoding: 7bit\r\n"
         "Content-Language: en\r\n"
         "\r\n" % (sender, recipient)).encode("ascii"))
    line = 0
    while len(out) < size:
        text = PARAGRAPH[line % len(PARAGRAPH)].encode("ascii")
        line += 1
        room = size - len(out) - 2
        if room < len(text):
            text = text[:max(0, room)]
        out += text + b"\r\n"
    return bytes(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--messages", type=int, default=20000)
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--from", dest="sender", default="bench@example.test")
    ap.add_argument("--to", dest="recipient", default="sink@example.test")
    a = ap.parse_args()

    msg = make_message(a.size, a.sender, a.recipient)
    failures = 0
    t0 = time.monotonic()  # connection set-up is timed, as in smtp-bench without --warmup
    conn = smtplib.SMTP(a.host, a.port, local_hostname="bench.example.test", timeout=30)
    conn.ehlo("bench.example.test")
    for i in range(a.warmup + a.messages):
        if i == a.warmup and a.warmup:
            t0 = time.monotonic()
        try:
            conn.sendmail(a.sender, [a.recipient], msg)
        except smtplib.SMTPException as e:
            failures += 1
            if failures <= 10:
                print("smtplib-bench: message failed: %r" % (e,), file=sys.stderr)
    secs = time.monotonic() - t0
    conn.quit()
    print("smtplib-bench: messages=%d size=%d message_bytes=%d warmup=%d" % (a.messages, a.size, len(msg), a.warmup))
    print("elapsed_s=%.3f" % secs)
    print("failures=%d" % failures)
    print("msgs_per_s=%.1f" % (a.messages / secs))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
