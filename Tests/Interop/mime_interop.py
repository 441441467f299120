#!/usr/bin/env python3
"""MIME interoperability: what `mailer serve` sends, read back by Python's `email` package.

For ASCII, Latin, CJK, RTL and emoji content, sends through `POST /v1/emails` (a pass-through
template whose subject, text and HTML are the request's data) with non-ASCII display names,
cc, bcc, replyTo, headers, a binary attachment, a non-ASCII-named text attachment and an inline
image, to aiosmtpd. Each received message must parse with `email.policy.strict` without
defects, and subject, display names, both bodies and the attachments must decode back exactly
to what was sent; every line ends in CRLF and is at most 998 octets; Bcc never appears.
Prints 'N passed, N failed' and exits non-zero on any failure.

Usage: mime_interop.py PATH/TO/mailer   (from the repository root; needs aiosmtpd)
"""
import base64
import email
import email.policy
import os
import random
import sys
import tempfile

from aiosmtpd.controller import Controller

from interop_support import Capture, check, free_port, post, start_mailer, summary

SAMPLES = {
    "ascii": ("Your order 4711 has shipped", "Ada Lovelace", "Hello Ada,\nyour order has shipped.\nThanks!", "<p>Hello Ada,</p><p>your order &amp; invoice</p>"),
    "latin": ("Grüße aus Köln – Ihre Bestellung", "Zoë Ærøskøbing-Müller", "Hallo Zoë,\nñandú, façade, Œuvre, ß.\n", "<p>Grüße, Zoë — «voilà»</p>"),
    "cjk": ("ご注文の商品を発送しました 订单已发货 주문이 발송되었습니다", "山田 太郎", "山田様\nご注文ありがとうございます。\n这是一封测试邮件。\n", "<p>注文番号：四七一一</p><p>감사합니다</p>"),
    "rtl": ("تم شحن طلبك — ההזמנה שלך נשלחה", "محمد عبد الله", "مرحبا محمد،\nשלום עולם\n", "<p dir=\"rtl\">تم شحن طلبك</p>"),
    "emoji": ("🚀 Shipped! 📦✨ 👩‍👩‍👧‍👦 family pack 🇩🇪", "Emoji 😀 Person", "Hi 👋\n🎉🎉🎉 " + "🙂" * 40 + "\n", "<p>🚀 " + "✨" * 60 + "</p>"),
    "long": ("A very long subject " + " ".join(["with many words that must be folded across several header lines"] * 3), "Averylongdisplaynamewithoutanyspacesatallthatcannotbefoldedatwhitespace Jr.", ("x" * 1200) + "\n" + ("word " * 400) + "\n.\n..leading dots\n", "<p>" + ("y" * 3000) + "</p>"),
}


def nl(text):
    return text.replace("\r\n", "\n")


def check_sample(label, raw, recipients, sent):
    subject, name, text, html, binary, text_file_name, text_file, logo = sent
    lines = raw.split(b"\r\n")
    check(f"{label}: CRLF only, no line over 998 octets, 7-bit",
          b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"") and all(len(l) <= 998 for l in lines) and all(b < 0x80 for b in raw))
    check(f"{label}: envelope has to, cc and bcc", recipients == ["rcpt@example.org", "cc@example.org", "hidden@example.org"], recipients)
    try:
        message = email.message_from_bytes(raw, policy=email.policy.strict)
        parts = list(message.walk())
        defects = [d for part in parts for d in part.defects]
        # Header values are parsed lazily: touch every one so strict raises on a defect.
        for part in parts:
            for key in part.keys():
                for value in part.get_all(key):
                    defects += list(getattr(value, "defects", []))
    except Exception as error:  # strict policy raises on any defect
        check(f"{label}: parses with policy=strict", False, repr(error))
        return
    check(f"{label}: parses with policy=strict, no defects", not defects, defects)
    check(f"{label}: subject decodes exactly", message["Subject"] == subject, (message["Subject"], subject))
    check(f"{label}: To display name decodes exactly", message["To"].addresses[0].display_name == name and message["To"].addresses[0].addr_spec == "rcpt@example.org", str(message["To"]))
    check(f"{label}: Cc and Reply-To", message["Cc"].addresses[0].addr_spec == "cc@example.org" and message["Reply-To"].addresses[0].display_name == "Support ✉", (str(message["Cc"]), str(message["Reply-To"])))
    check(f"{label}: no Bcc anywhere", message["Bcc"] is None and b"hidden@example.org" not in raw)
    check(f"{label}: custom header", message["X-Sample"] == label and message["List-Unsubscribe"] == "<https://example.org/unsubscribe?u=1>", (message["X-Sample"], message["List-Unsubscribe"]))
    check(f"{label}: top level multipart/mixed", message.get_content_type() == "multipart/mixed", message.get_content_type())
    body_text = message.get_body(preferencelist=("plain",))
    body_html = message.get_body(preferencelist=("html",))
    check(f"{label}: text body decodes exactly", body_text is not None and nl(body_text.get_content()).rstrip("\n") == text.rstrip("\n"),
          repr(nl(body_text.get_content())[:200]) if body_text else None)
    check(f"{label}: HTML body decodes exactly", body_html is not None and nl(body_html.get_content()).rstrip("\n") == html.rstrip("\n"),
          repr(nl(body_html.get_content())[:200]) if body_html else None)
    related = [p for p in parts if p.get_content_type() == "multipart/related"]
    logo_parts = [p for p in parts if p.get("Content-ID") == "<logo@example.org>"]
    check(f"{label}: inline logo in multipart/related with its Content-ID",
          related and logo_parts and logo_parts[0].get_content() == logo and logo_parts[0].get_content_disposition() == "inline")
    attachments = {p.get_filename(): p.get_payload(decode=True) for p in message.iter_attachments()}
    check(f"{label}: binary attachment byte-exact", attachments.get("data.bin") == binary, list(attachments))
    got_text_file = attachments.get(text_file_name)
    check(f"{label}: non-ASCII file name and text attachment byte-exact",
          got_text_file == text_file,
          list(attachments))


def main():
    binary = os.path.abspath(sys.argv[1])
    capture = Capture()
    smtp_port = free_port()
    controller = Controller(capture, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    rng = random.Random(2026)
    try:
        with tempfile.TemporaryDirectory() as work:
            os.chmod(work, 0o755)   # the mailer runs as an unprivileged user here
            templates = os.path.join(work, "templates")
            os.makedirs(os.path.join(templates, "raw"))
            for part, content in {"subject": "{{{subject}}}", "text": "{{{text}}}", "html": "{{{html}}}"}.items():
                with open(os.path.join(templates, "raw", f"{part}.mustache"), "w") as f:
                    f.write(content)
            http_port = free_port()
            mailer = start_mailer(binary, {
                "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_OPPORTUNISTIC_TLS": "false",
                "SMTP_SENDER": "Ünïcode Sender 送信者 <no-reply@example.com>", "MAILER_PORT": str(http_port),
                "MAILER_TEMPLATES_DIR": templates,
            }, os.path.join(work, "mailer.log"))
            try:
                for label, (subject, name, text, html) in SAMPLES.items():
                    binary_data = bytes(rng.randrange(256) for _ in range(5000)) + b"\r\n.\r\n\x00\r"
                    text_file_name = {"ascii": "notes.txt", "latin": "Übersicht März.txt", "cjk": "請求書 2026.txt",
                                      "rtl": "فاتورة.txt", "emoji": "🎉 party.txt", "long": "n" * 120 + ".txt"}[label]
                    text_file = (text + "\n" + html).encode()
                    logo = bytes(rng.randrange(256) for _ in range(300))
                    before = len(capture.messages)
                    status, _, answer = post(http_port, "/v1/emails", {
                        "template": "raw", "to": f"{name} <rcpt@example.org>",
                        "cc": "cc@example.org", "bcc": ["hidden@example.org"], "replyTo": "Support ✉ <help@example.org>",
                        "headers": {"X-Sample": label, "List-Unsubscribe": "<https://example.org/unsubscribe?u=1>"},
                        "data": {"subject": subject, "text": text, "html": html.replace("</p>", "<img src=\"cid:logo@example.org\"></p>", 1)},
                        "attachments": [
                            {"filename": "data.bin", "contentType": "application/octet-stream", "content": base64.b64encode(binary_data).decode()},
                            {"filename": text_file_name, "contentType": "text/plain", "content": base64.b64encode(text_file).decode()},
                            {"filename": "logo.png", "contentType": "image/png", "content": base64.b64encode(logo).decode(), "contentId": "logo@example.org"},
                        ],
                    })
                    check(f"{label}: sent (HTTP {status})", status == 200, answer)
                    if not capture.wait_for(before + 1):
                        check(f"{label}: arrived", False)
                        continue
                    recipients, raw = capture.messages[-1]["rcpt_tos"], capture.messages[-1]["content"]
                    sent_html = html.replace("</p>", "<img src=\"cid:logo@example.org\"></p>", 1)
                    check_sample(label, raw, recipients, (subject, name, text, sent_html, binary_data, text_file_name, text_file, logo))
                    if label == "emoji":
                        sender = email.message_from_bytes(raw, policy=email.policy.strict)["From"]
                        check("From display name decodes exactly", sender.addresses[0].display_name == "Ünïcode Sender 送信者", str(sender))
            finally:
                mailer.terminate()
                mailer.wait(timeout=10)
    finally:
        controller.stop()
    sys.exit(summary())


if __name__ == "__main__":
    main()
