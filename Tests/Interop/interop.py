#!/usr/bin/env python3
"""Interoperability check: the real `mailer serve` against aiosmtpd (STARTTLS + AUTH).

Sends the three emails over HTTP with `Prefer: wait`, then parses what aiosmtpd received
with Python's `email` package. Also provokes ECONNREFUSED against a closed port and checks
the 202 "deferred" answer with the error and the JSON log line, and runs `mailer check-smtp` (text and
--json) and `mailer send-test` against the same aiosmtpd, with the right and a wrong password. The
password comes from SMTP_PASSWORD_FILE; API calls carry a bearer token (MAILER_API_TOKENS), and the
closed-port mailer runs without one, so its generated token is read from its log. Prints
'N passed, N failed' and exits non-zero
on any failure.

Usage: interop.py PATH/TO/mailer   (run from the repository root; needs aiosmtpd and openssl)
"""
import email
import email.policy
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from interop_support import API_TOKEN, Capture, check, free_port, generated_token, log_records, post, request, results, start_mailer

USER, PASSWORD = "alice", "s3cret-Pa55"
# aiosmtpd 1.4 logs a warning about its own use of a deprecated attribute on every AUTH.
logging.getLogger("mail.log").setLevel(logging.ERROR)
def make_certificates(directory):
    ca_key, ca_pem = os.path.join(directory, "ca.key"), os.path.join(directory, "ca.pem")
    key, csr, cert = (os.path.join(directory, n) for n in ("key.pem", "server.csr", "cert.pem"))
    ext = os.path.join(directory, "ext.cnf")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    run = lambda *args: subprocess.run(args, check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_pem,
        "-days", "2", "-subj", "/CN=mailer interop test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
        "-out", cert, "-days", "2", "-extfile", ext)
    return ca_pem, cert, key


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
    # handled=False: aiosmtpd answers a failure with 535 itself (with the default, it sends nothing and the client waits).
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


def bodies(message):
    parts = {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}
    return parts.get("text/plain", ""), parts.get("text/html", "")


def wait_for_log(path, message, after, timeout=10):
    """The JSON log record with `message` written after line `after`, or None."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        records = [json.loads(l) for l in open(path).read().splitlines()[after:] if l.strip()]
        for record in records:
            if record.get("msg") == message:
                return record
        time.sleep(0.05)
    return None


def run_cli(binary, args, env_overrides, timeout=60):
    """Runs a diagnostic subcommand as `mailer serve` runs: unprivileged, configured only by the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "MAILER_"))}
    env.update(env_overrides)
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 and shutil.which("setpriv") else []
    return subprocess.run(prefix + [binary] + args, env=env, capture_output=True, text=True, timeout=timeout)


def check_diagnostics(binary, env, capture):
    """`mailer check-smtp` and `mailer send-test` against aiosmtpd with STARTTLS and AUTH."""
    steps = ["connect", "greeting", "EHLO", "TLS", "AUTH", "MAIL FROM", "RCPT TO", "RSET", "QUIT"]
    before = len(capture.messages)
    result = run_cli(binary, ["check-smtp"], env)
    out = result.stdout
    print("   | " + out.rstrip().replace("\n", "\n   | "), flush=True)
    check("check-smtp: exit 0 when every step passes", result.returncode == 0, f"exit {result.returncode}: {out} {result.stderr}")
    for step in steps:
        check(f"check-smtp: a ✓ line for {step}", any(line.startswith(f"✓ {step} ") for line in out.splitlines()), out)
    check("check-smtp: EHLO lists the extensions (STARTTLS, then AUTH after TLS)", "STARTTLS" in out and "AUTH" in out.split("(after TLS)")[-1], out)
    check("check-smtp: TLS version and certificate subject and expiry", "TLSv1.3" in out and "certificate: CN=localhost" in out and "expires: " in out, out)
    check("check-smtp: the summary line says OK", out.rstrip().splitlines()[-1].startswith("OK: every step passed"), out)
    check("check-smtp: the password is not printed", PASSWORD not in out + result.stderr)

    result = run_cli(binary, ["check-smtp", "--json", "--to", "probe@example.org"], env)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = {}
    check("check-smtp --json: exit 0 and one JSON document with ok true", result.returncode == 0 and report.get("ok") is True, f"{result.returncode} {result.stdout} {result.stderr}")
    check("check-smtp --json: steps in order, all passed",
          [s.get("name") for s in report.get("steps", [])] == ["connect", "greeting", "EHLO", "TLS", "EHLO", "AUTH", "MAIL FROM", "RCPT TO", "RSET", "QUIT"]
          and all(s.get("status") == "passed" for s in report.get("steps", [])), report.get("steps"))
    check("check-smtp --json: server, security, probe recipient, TLS",
          report.get("server", {}).get("host") == "localhost" and report.get("security") == "starttls"
          and report.get("probe", {}).get("to") == "probe@example.org" and report.get("tls", {}).get("version") == "TLSv1.3", report)
    time.sleep(0.2)
    check("check-smtp: aiosmtpd received no message", len(capture.messages) == before, len(capture.messages) - before)

    both = dict(env, SMTP_PASSWORD=PASSWORD)
    result = run_cli(binary, ["check-smtp"], both)
    check("check-smtp with SMTP_PASSWORD and SMTP_PASSWORD_FILE: exit 78 naming SMTP_PASSWORD_FILE, no password",
          result.returncode == 78 and "SMTP_PASSWORD_FILE" in result.stderr and PASSWORD not in result.stdout + result.stderr,
          f"{result.returncode} {result.stdout} {result.stderr}")

    wrong = {k: v for k, v in env.items() if k != "SMTP_PASSWORD_FILE"}
    wrong["SMTP_PASSWORD"] = "wrong-" + PASSWORD
    result = run_cli(binary, ["check-smtp"], wrong)
    out = result.stdout
    print("   | " + out.rstrip().replace("\n", "\n   | "), flush=True)
    check("check-smtp wrong password: exit 69", result.returncode == 69, f"exit {result.returncode}: {out} {result.stderr}")
    check("check-smtp wrong password: ✗ AUTH EAUTH with a hint", any(line.startswith("✗ AUTH ") and "EAUTH" in line for line in out.splitlines()) and "hint: " in out, out)
    check("check-smtp wrong password: later steps skipped", all(any(line.startswith(f"- {step} ") and "skipped" in line for line in out.splitlines()) for step in steps[-4:]), out)
    check("check-smtp wrong password: no password in the output", PASSWORD not in out + result.stderr)
    result = run_cli(binary, ["check-smtp", "--json"], wrong)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = {}
    check("check-smtp --json wrong password: exit 69, ok false, code EAUTH at AUTH",
          result.returncode == 69 and report.get("ok") is False and report.get("code") == "EAUTH" and report.get("failedStep") == "AUTH", f"{result.returncode} {result.stdout}")

    result = run_cli(binary, ["check-smtp"], dict(env, SMTP_PORT="not-a-port"))
    check("check-smtp bad configuration: exit 78 naming the variable", result.returncode == 78 and "SMTP_PORT" in result.stderr, f"{result.returncode} {result.stderr}")

    result = run_cli(binary, ["send-test", "--to", "diag@example.org"], env)
    out = result.stdout
    print("   | " + out.rstrip().replace("\n", "\n   | "), flush=True)
    check("send-test: exit 0 with the server's reply and TLS details",
          result.returncode == 0 and out.startswith("✓ test message sent") and "server said: 250" in out and "TLS: TLSv1.3" in out, f"{result.returncode} {out} {result.stderr}")
    deadline = time.time() + 5
    arrived = []
    while not arrived and time.time() < deadline:
        arrived = [m for m in capture.messages if m["rcpt_tos"] == ["diag@example.org"]]
        time.sleep(0.05)
    check("send-test: the test message arrived over STARTTLS with AUTH", arrived and arrived[0]["tls"] and arrived[0]["authenticated"], arrived)
    if arrived:
        message = email.message_from_bytes(arrived[0]["content"], policy=email.policy.default)
        text, html = bodies(message)
        check("send-test: subject, text and HTML", message["Subject"] == "mailer test message" and text and html, message["Subject"])
        check("send-test: the message says which host, port, security and TLS version carried it",
              f"localhost:{env['SMTP_PORT']}" in text and "STARTTLS" in text and "TLSv1.3" in text, text)
    result = run_cli(binary, ["send-test", "--to", "diag@example.org"], wrong)
    check("send-test wrong password: exit 69, EAUTH and a hint, no password",
          result.returncode == 69 and "EAUTH" in result.stdout and "hint: " in result.stdout and PASSWORD not in result.stdout + result.stderr,
          f"{result.returncode} {result.stdout} {result.stderr}")


def check_queue_cli(binary, data, email_id):
    """`mailer queue` on the outbox the stopped service left: the deferred email is there."""
    def queue(*args):
        result = subprocess.run([binary, "queue", *args, "--data-dir", data], capture_output=True, text=True, timeout=30)
        return result.returncode, result.stdout, result.stderr
    code, out, err = queue("stats", "--json")
    stats = json.loads(out) if code == 0 else {}
    check("queue stats --json: one deferred email", stats.get("counts", {}).get("deferred") == 1, f"{code} {out} {err}")
    code, out, err = queue("list")
    check("queue list: the deferred email with its error", code == 0 and email_id in out and "deferred" in out and "ECONNREFUSED" in out, out + err)
    code, out, err = queue("show", email_id)
    check("queue show: the attempt with code and hint", code == 0 and "attempt 1 deferred" in out and "ECONNREFUSED" in out and "hint:" in out, out + err)
    code, out, err = queue("cancel", email_id, "--json")
    check("queue cancel: cancelled", code == 0 and json.loads(out).get("status") == "cancelled", out + err)
    code, out, err = queue("show", "no-such-id")
    check("queue show of an unknown id: non-zero exit and a clear error", code != 0 and "no email with id no-such-id" in err, f"{code} {out} {err}")
    code, out, err = subprocess.run([binary, "queue", "stats", "--data-dir", "/nonexistent"], capture_output=True, text=True).returncode, "", ""
    check("queue on a missing folder: non-zero exit", code != 0)


def check_render_cli(binary, work):
    """`mailer render`: prints the template exactly; a render that reaches a bound exits 65 saying
    which, and prints nothing half-rendered."""
    folder = os.path.join(work, "render-cli")
    os.makedirs(folder, exist_ok=True)
    def render(template, data):
        with open(os.path.join(folder, "t.mustache"), "w") as f:
            f.write(template)
        with open(os.path.join(folder, "d.json"), "w") as f:
            json.dump(data, f)
        result = subprocess.run([binary, "render", "--template", os.path.join(folder, "t.mustache"),
                                 "--data", os.path.join(folder, "d.json")], capture_output=True, text=True, timeout=60)
        return result.returncode, result.stdout, result.stderr
    code, out, err = render("Hi {{name}}!", {"name": "<Ada>"})
    check("render: prints the template, escaped, exit 0", code == 0 and out == "Hi &lt;Ada&gt;!", f"{code} {out!r} {err}")
    loops = "{{#rows}}" * 5 + "." + "{{/rows}}" * 5
    code, out, err = render(loops, {"rows": list(range(30))})
    check("render: nested loops over 30 rows stop at the step bound, exit 65, nothing printed",
          code == 65 and out == "" and "rendering stopped: the work passed 1000000 steps" in err, f"{code} {out[:80]!r} {err}")


def check_api_authentication(http_port):
    """Bearer tokens on the running service: refusals are 401 problem+json, the probes stay open."""
    body = {"to": "ada@example.org", "code": "1"}
    status, content_type, answer = post(http_port, "/v1/emails/verification", body, token=None)
    check("no token: 401 problem+json EUNAUTHORIZED", status == 401 and content_type == "application/problem+json"
          and answer.get("code") == "EUNAUTHORIZED" and "Authorization: Bearer" in answer.get("detail", ""), f"{status} {content_type} {answer}")
    status, headers, answer = request(http_port, "/v1/queue/stats", token="wrong-" + API_TOKEN)
    check("wrong token: 401 EUNAUTHORIZED with WWW-Authenticate: Bearer", status == 401 and answer.get("code") == "EUNAUTHORIZED"
          and (headers.get("WWW-Authenticate") or "").startswith("Bearer"), f"{status} {dict(headers)} {answer}")
    status, _, answer = request(http_port, "/healthz", token=None)
    check("/healthz needs no token", status == 200, f"{status} {answer}")
    status, _, answer = request(http_port, "/v1/queue/stats")
    check("the right token: 200", status == 200, f"{status} {answer}")


def check_template_reload(binary, work):
    """SIGHUP re-reads the templates folder while requests keep being answered."""
    templates = os.path.join(work, "templates")
    shutil.copytree(os.path.abspath("templates"), templates)
    for root, dirs, files in os.walk(work):
        for name in dirs + files:
            os.chmod(os.path.join(root, name), 0o777 if name in dirs else 0o666)
    os.chmod(work, 0o777)
    http_port = free_port()
    log_path = os.path.join(work, "mailer-reload.log")
    mailer = start_mailer(binary, {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(free_port()), "SMTP_SENDER": "no-reply@example.com",
        "MAILER_PORT": str(http_port), "MAILER_TEMPLATES_DIR": templates, "MAILER_FROM_NAME": "Acme",
    }, log_path)
    subject_file = os.path.join(templates, "verification", "subject.mustache")

    def preview(locale=None):
        body = {"data": {"code": "42"}}
        if locale:
            body["locale"] = locale
        status, _, answer = post(http_port, "/v1/templates/verification/preview", body)
        return status, answer.get("subject")

    failures, answered, stop = [], [0], threading.Event()

    def hammer():
        while not stop.is_set():
            status, subject = preview()
            answered[0] += 1
            if status != 200 or not subject:
                failures.append((status, subject))

    try:
        check("reload: before SIGHUP the shipped subject", preview() == (200, "Your Acme verification code: 42"), preview())
        worker = threading.Thread(target=hammer)
        worker.start()

        lines = len(open(log_path).read().splitlines())
        with open(subject_file, "w") as f:
            f.write("Code {{code}} for {{productName}}\n")
        mailer.send_signal(signal.SIGHUP)
        record = wait_for_log(log_path, "templates reloaded", lines)
        check("reload: SIGHUP logs 'templates reloaded'", record is not None, open(log_path).read()[-1000:])
        check("reload: the new subject is served", preview() == (200, "Code 42 for Acme"), preview())

        lines = len(open(log_path).read().splitlines())
        with open(subject_file, "w") as f:
            f.write("Code {{#code}} never closed\n")
        mailer.send_signal(signal.SIGHUP)
        record = wait_for_log(log_path, "templates not reloaded: still serving the previous ones", lines)
        check("reload: a broken template is logged as ETEMPLATE with file:line:col",
              record is not None and record.get("code") == "ETEMPLATE" and "verification/subject.mustache:1:6" in record.get("error", ""), record)
        check("reload: after a broken reload the previous templates still serve", preview() == (200, "Code 42 for Acme"), preview())

        lines = len(open(log_path).read().splitlines())
        with open(subject_file, "w") as f:
            f.write("Code {{code}} for {{productName}}\n")
        os.makedirs(os.path.join(templates, "verification", "fr"), mode=0o777)
        for part, text in [("subject", "Votre code {{productName}} : {{code}}"), ("text", "Code : {{code}}")]:
            with open(os.path.join(templates, "verification", "fr", part + ".mustache"), "w") as f:
                f.write(text)
        mailer.send_signal(signal.SIGHUP)
        check("reload: a new locale folder is picked up", wait_for_log(log_path, "templates reloaded", lines) is not None)
        check("reload: locale fr-CA gets the new French version", preview("fr-CA") == (200, "Votre code Acme : 42"), preview("fr-CA"))
        stop.set()
        worker.join(timeout=30)
        check("reload: no request failed during three reloads", not failures and answered[0] > 10, f"{answered[0]} answered, failures {failures[:3]}")
        check("reload: the service is still running", mailer.poll() is None)
    finally:
        stop.set()
        mailer.terminate()
        mailer.wait(timeout=15)


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="mailer-interop-")
    os.chmod(work, 0o755)
    ca_pem, cert, key = make_certificates(work)
    os.chmod(ca_pem, 0o644)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    capture = Capture()
    smtp_port = free_port()
    controller = Controller(capture, hostname="127.0.0.1", port=smtp_port, tls_context=context,
                            require_starttls=True, authenticator=authenticator, auth_require_tls=True,
                            auth_required=True, server_hostname="localhost")
    controller.start()
    http_port = free_port()
    log_path = os.path.join(work, "mailer.log")
    # The password as a Docker secret would hold it: a file with a trailing newline, readable by the
    # unprivileged user the mailer runs as.
    password_file = os.path.join(work, "smtp_password")
    with open(password_file, "w") as f:
        f.write(PASSWORD + "\n")
    os.chmod(password_file, 0o644)
    environment = {
        "SMTP_HOST": "localhost", "SMTP_PORT": str(smtp_port), "SMTP_SENDER": "Interop Test <no-reply@example.com>",
        "SMTP_USERNAME": USER, "SMTP_PASSWORD_FILE": password_file, "SMTP_CA_FILE": ca_pem,
        "MAILER_PORT": str(http_port), "MAILER_BASE_URL": "https://app.example.com", "MAILER_FROM_NAME": "Acme Feedback",
        "MAILER_TEMPLATES_DIR": os.path.abspath("templates"), "MAILER_HELO_NAME": "interop.example.com",
    }
    mailer = start_mailer(binary, environment, log_path)
    try:
        cases = [
            ("/v1/emails/verification", {"to": "ada@example.org", "code": "493817"}),
            ("/v1/emails/password-reset", {"to": "Zoë Zürich <zoe@example.org>", "code": "r&s t"}),
            ("/v1/emails/invitation", {"to": ["bob@example.org"], "code": "inv-1", "inviterName": "Ada <Admin>", "organizationName": "Ünïcode Org"}),
        ]
        for path, body in cases:
            status, content_type, answer = post(http_port, path, body)
            check(f"{path} answers 200 sent", status == 200 and answer.get("status") == "sent", f"{status} {answer}")
            check(f"{path} reports the SMTP reply", answer.get("smtp", {}).get("code") == 250, answer)

        deadline = time.time() + 5
        while len(capture.messages) < 3 and time.time() < deadline:
            time.sleep(0.05)
        check("aiosmtpd received 3 messages", len(capture.messages) == 3, len(capture.messages))
        by_recipient = {m["rcpt_tos"][0]: m for m in capture.messages}
        for m in capture.messages:
            check(f"message to {m['rcpt_tos']} went over STARTTLS with AUTH", m["tls"] and m["authenticated"] and m["login"] == USER, {k: m[k] for k in ("tls", "authenticated", "login")})
            check("envelope sender is SMTP_SENDER's address", m["mail_from"] == "no-reply@example.com", m["mail_from"])
            raw = m["content"]
            check("only CRLF line endings", b"\n" not in raw.replace(b"\r\n", b""), "bare LF found")
            check("no line longer than 998 octets", all(len(line) <= 998 for line in raw.split(b"\r\n")))

        def parsed(recipient):
            return email.message_from_bytes(by_recipient[recipient]["content"], policy=email.policy.default)

        verification = parsed("ada@example.org")
        text, html = bodies(verification)
        check("verification: multipart/alternative", verification.get_content_type() == "multipart/alternative", verification.get_content_type())
        check("verification: subject has the code", verification["Subject"] == "Your Acme Feedback verification code: 493817", verification["Subject"])
        check("verification: From with display name", verification["From"].addresses[0].display_name == "Interop Test"
              and verification["From"].addresses[0].addr_spec == "no-reply@example.com", str(verification["From"]))
        check("verification: To", verification["To"].addresses[0].addr_spec == "ada@example.org", str(verification["To"]))
        check("verification: Date and Message-ID present", verification["Date"] is not None and verification["Message-ID"] is not None)
        check("verification: text and HTML carry the code", "493817" in text and "493817" in html, (text, html))
        check("verification: HTML uses the shared layout", "<!DOCTYPE html>" in html and "Acme Feedback" in html)

        reset = parsed("zoe@example.org")
        text, html = bodies(reset)
        link = "https://app.example.com/link/reset-password?code=r%26s%20t&email=zoe%40example.org"
        check("password-reset: non-ASCII display name decoded", reset["To"].addresses[0].display_name == "Zoë Zürich", str(reset["To"]))
        check("password-reset: link URL-encoded in text", link in text, text)
        check("password-reset: link HTML-escaped in HTML", link.replace("&", "&amp;") in html, html)

        invitation = parsed("bob@example.org")
        text, html = bodies(invitation)
        check("invitation: non-ASCII subject decoded", invitation["Subject"] == "Ada <Admin> invited you to Ünïcode Org on Acme Feedback", invitation["Subject"])
        check("invitation: inviter escaped in HTML", "Ada &lt;Admin&gt;" in html and "Ada <Admin>" not in html, html)
        check("invitation: link in text", "https://app.example.com/link/user-invitation?code=inv-1&email=bob%40example.org" in text, text)

        check_api_authentication(http_port)
        check_diagnostics(binary, environment, capture)
    finally:
        mailer.terminate()
        mailer.wait(timeout=15)
        controller.stop()
    log = open(log_path).read()
    check("SMTP_PASSWORD (from SMTP_PASSWORD_FILE) never appears in the log", PASSWORD not in log)
    check("the API token never appears in the log", API_TOKEN not in log)
    lines = [json.loads(line) for line in log.splitlines() if line.strip()]
    check("'email accepted' lines name the caller's token (token_name), not the token",
          [l.get("token_name") for l in lines if l["msg"] == "email accepted"] == ["interop"] * 3, log[-2000:])
    check("every log line is a JSON object with ts, level, msg", all({"ts", "level", "msg"} <= set(l) for l in lines), log[:500])
    check("one 'email sent' line per email", sum(l["msg"] == "email sent" for l in lines) == 3, log[-2000:])

    # A closed port: the error code reaches both the caller and the log.
    closed = free_port()
    http_port = free_port()
    log_path = os.path.join(work, "mailer-refused.log")
    data = tempfile.mkdtemp(prefix="mailer-data-")
    os.chmod(data, 0o777)
    # Without MAILER_API_TOKENS, as `docker compose up` on a fresh clone: the token is in the log.
    mailer = start_mailer(binary, {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(closed), "SMTP_SENDER": "no-reply@example.com",
        "MAILER_PORT": str(http_port), "MAILER_TEMPLATES_DIR": os.path.abspath("templates"), "MAILER_DATA_DIR": data,
    }, log_path, token=None)
    deferred_id = None
    try:
        token = generated_token(log_path)
        check("no MAILER_API_TOKENS: a generated token is logged once (warning, api_token)", token and len(token) == 43
              and sum(token in line for line in open(log_path)) == 1
              and any(r.get("level") == "warning" and r.get("api_token") == token for r in log_records(log_path)), open(log_path).read()[:2000])
        status, _, answer = post(http_port, "/v1/emails/verification", {"to": "ada@example.org", "code": "1"}, token=None)
        check("generated token: a call without it is refused (401)", status == 401 and answer.get("code") == "EUNAUTHORIZED", f"{status} {answer}")
        status, content_type, answer = post(http_port, "/v1/emails/verification", {"to": "ada@example.org", "code": "1"}, wait=5, token=token)
        # Transient: the outbox keeps the email and says when it tries again.
        check("closed port: 202 deferred with the next attempt time", status == 202 and answer.get("status") == "deferred"
              and answer.get("nextAttemptAt"), f"{status} {answer}")
        error = answer.get("error", {})
        check("closed port: error code ECONNREFUSED with a hint", error.get("code") == "ECONNREFUSED" and error.get("hint"), answer)
        deferred_id = answer.get("id")
    finally:
        mailer.terminate()
        mailer.wait(timeout=15)
    check_queue_cli(binary, data, deferred_id)
    log = open(log_path).read()
    check('closed port: log line with "code":"ECONNREFUSED"', any(
        json.loads(l).get("code") == "ECONNREFUSED" for l in log.splitlines() if l.strip()), log[-1000:])

    check_template_reload(binary, work)
    check_render_cli(binary, work)

    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
