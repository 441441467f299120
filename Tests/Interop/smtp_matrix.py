#!/usr/bin/env python3
"""Interoperability matrix: the real `mailer serve` against SMTP servers nobody here wrote.

Servers:
  * aiosmtpd (Debian python3-aiosmtpd), in-process: plaintext, STARTTLS and implicit TLS, each
    with AUTH, certificates from throw-away openssl CAs;
  * Postfix's smtp-sink (Debian postfix package): accepting and dumping messages, and with its
    own fault options (RCPT rejected, 421, disconnect after the final dot).

For every case the mailer is started the way users run it (env vars, `mailer serve`), one email
is posted with `Prefer: wait=N`, and the HTTP answer (status, problem+json `code`, `hint`,
`transient`), the JSON log line and, for deliveries, the message the server received (parsed
with Python's `email` package) are checked. Then the failure matrix: closed port, implicit TLS
against a STARTTLS port and the reverse, untrusted CA, wrong password, rejected recipient,
connection dropped mid-DATA, and an idle pooled connection closed by the server.

Prints one `ok   name` / `FAIL name: detail` line per check, ends with `N passed, N failed`,
exits non-zero on any failure. Every server it starts is stopped before it exits.

Usage: /usr/bin/python3 Tests/Interop/smtp_matrix.py PATH/TO/mailer
       (from the repository root; needs python3-aiosmtpd, openssl and postfix's smtp-sink)
"""
import asyncio
import base64
import email
import email.policy
import glob
import json
import logging
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

import interop_support
from interop_support import check, free_port, results

USER, PASSWORD, WRONG_PASSWORD = "alice", "m4trix-Pa55word", "not-the-Pa55word"
SMTP_SINK = "/usr/sbin/smtp-sink"
# aiosmtpd 1.4 logs a warning about its own use of a deprecated attribute on every AUTH,
# and every dropped connection as an error.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
mailer_logs = []   # every mailer log file, to check that no password leaked


# ---------------------------------------------------------------------------------------------
# Certificates: two unrelated CAs; the server certificate is issued by the first.

def make_ca(directory, name):
    key, pem = os.path.join(directory, f"{name}.key"), os.path.join(directory, f"{name}.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", pem,
                    "-days", "2", "-subj", f"/CN=mailer smtp matrix {name}"], check=True, capture_output=True)
    os.chmod(pem, 0o644)
    return pem, key


def make_server_certificate(directory, ca_pem, ca_key, names="DNS:localhost,IP:127.0.0.1"):
    stem = names.split(",")[0].split(":")[1]
    key, csr, cert = (os.path.join(directory, f"{stem}.{n}") for n in ("key", "csr", "pem"))
    ext = os.path.join(directory, f"{stem}.cnf")
    with open(ext, "w") as f:
        f.write(f"subjectAltName={names}\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    run = lambda *args: subprocess.run(args, check=True, capture_output=True)
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={stem}")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
        "-out", cert, "-days", "2", "-extfile", ext)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


# ---------------------------------------------------------------------------------------------
# aiosmtpd servers

class Capture(interop_support.Capture):
    """The shared capture, and a refusal for recipients containing "bounce"."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "bounce" in address:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
    # handled=False: aiosmtpd 1.4's default (True) means "the authenticator already replied", so a
    # refusal would leave the client waiting for an answer that never comes instead of a 535.
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


class CountingSMTP(SMTP):
    """aiosmtpd's SMTP protocol, counting the TCP connections of its controller."""

    def __init__(self, handler, controller, **kwargs):
        super().__init__(handler, **kwargs)
        with controller.lock:
            controller.connections += 1


class DropMidDataSMTP(CountingSMTP):
    """Answers DATA with 354, reads one line of the message, then aborts the TCP connection."""

    async def smtp_DATA(self, arg):
        if not self.envelope.rcpt_tos:
            return await super().smtp_DATA(arg)
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        try:
            await asyncio.wait_for(self._reader.readuntil(b"\r\n"), 5)
        except Exception:
            pass
        self.transport.abort()


class Server(Controller):
    """aiosmtpd Controller on 127.0.0.1 that counts connections (and can drop mid-DATA)."""

    def __init__(self, handler, protocol=CountingSMTP, **kwargs):
        self.connections = 0
        self.lock = threading.Lock()
        self.protocol = protocol
        super().__init__(handler, hostname="127.0.0.1", port=free_port(), server_hostname="localhost", **kwargs)

    def factory(self):
        return self.protocol(self.handler, self, **self.SMTP_kwargs)


# ---------------------------------------------------------------------------------------------
# Postfix smtp-sink

class SmtpSink:
    """`smtp-sink -c` on 127.0.0.1 with extra options; messages dumped into a folder (-d)."""

    def __init__(self, work, name, options=()):
        self.port = free_port()
        self.dump_dir = os.path.join(work, f"sink-{name}")
        os.makedirs(self.dump_dir)
        os.chmod(self.dump_dir, 0o777)   # smtp-sink drops to nobody when started as root
        self.output = open(os.path.join(work, f"sink-{name}.out"), "w")
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        self.process = subprocess.Popen(
            [SMTP_SINK, "-c", *user, "-h", "sink.example.test", "-d", os.path.join(self.dump_dir, "msg."),
             *options, f"127.0.0.1:{self.port}", "100"],
            stdout=self.output, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"smtp-sink exited with {self.process.returncode}: {open(self.output.name).read()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("smtp-sink did not start listening")

    def dumps(self, count, timeout=5):
        deadline = time.time() + timeout
        while time.time() < deadline:
            files = sorted(glob.glob(os.path.join(self.dump_dir, "msg.*")))
            # A dump file is complete when it ends with the empty line after the message.
            if len(files) >= count and all(open(f, "rb").read().endswith(b"\n\n") for f in files):
                return [open(f, "rb").read() for f in files]
            time.sleep(0.05)
        return [open(f, "rb").read() for f in sorted(glob.glob(os.path.join(self.dump_dir, "msg.*")))]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output.close()


# ---------------------------------------------------------------------------------------------
# The mailer, driven over HTTP

class Mailer:
    def __init__(self, binary, work, name, env):
        self.port = free_port()
        self.log_path = os.path.join(work, f"mailer-{name}.log")
        mailer_logs.append(self.log_path)
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "MAILER_"))}
        full_env.update({
            "SMTP_HOST": "127.0.0.1", "SMTP_SENDER": "Matrix Test <no-reply@example.com>",
            "MAILER_PORT": str(self.port), "MAILER_HOST": "127.0.0.1",
            "MAILER_TEMPLATES_DIR": os.path.abspath("templates"), "MAILER_FROM_NAME": "Acme",
            "MAILER_HELO_NAME": "matrix.example.com", "MAILER_API_TOKENS": f"matrix:{interop_support.API_TOKEN}",
        })
        # An empty outbox per mailer, writable by the unprivileged user it runs as.
        data = os.path.join(work, f"data-{name}")
        os.makedirs(data, exist_ok=True)
        os.chmod(data, 0o777)
        full_env["MAILER_DATA_DIR"] = data
        full_env.update(env)
        self.log = open(self.log_path, "w")
        # Run unprivileged, as the image does (and as interop.py does).
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 and shutil.which("setpriv") else []
        self.process = subprocess.Popen(prefix + [binary, "serve"], env=full_env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mailer exited with {self.process.returncode}: {open(self.log_path).read()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("mailer did not become healthy: " + open(self.log_path).read())

    def send(self, to="ada@example.org", code="493817", wait=10):
        """POST /v1/emails/verification with Prefer: wait; (status, content type, body, seconds)."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/v1/emails/verification",
            data=json.dumps({"to": to, "code": code}).encode(), method="POST",
            headers={"Content-Type": "application/json", "Prefer": f"wait={wait}", **interop_support.authorization()})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=wait + 10) as response:
                return response.status, response.headers.get("Content-Type"), json.loads(response.read()), time.monotonic() - started
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type"), json.loads(error.read()), time.monotonic() - started

    def records(self):
        return [json.loads(line) for line in open(self.log_path).read().splitlines() if line.strip().startswith("{")]

    def record(self, message, email_id=None, timeout=5):
        deadline = time.time() + timeout
        while True:
            for record in self.records():
                if record.get("msg") == message and (email_id is None or record.get("email_id") == email_id):
                    return record
            if time.time() > deadline:
                return None
            time.sleep(0.05)

    def configuration(self):
        return next((r for r in self.records() if "smtp_host" in r and "smtp_pool_size" in r), {})

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Matrix:
    def __init__(self, binary, work):
        self.binary, self.work = binary, work
        self.cleanups = []
        self.count = 0

    def mailer(self, name, env):
        self.count += 1
        mailer = Mailer(self.binary, self.work, f"{self.count:02d}-{name.replace(' ', '-')}", env)
        self.cleanups.append(mailer.stop)
        return mailer

    def aiosmtpd(self, handler, **kwargs):
        server = Server(handler, **kwargs)
        server.start()
        server.connections = 0   # start() connects once itself to check the server is up
        self.cleanups.append(server.stop)
        return server

    def sink(self, name, options=()):
        sink = SmtpSink(self.work, name, options)
        self.cleanups.append(sink.stop)
        return sink

    def stop_all(self):
        while self.cleanups:
            try:
                self.cleanups.pop()()
            except Exception as error:   # keep stopping the others
                print(f"note cleanup failed: {error!r}")

    # ---- checks shared by the cases --------------------------------------------------------

    def expect_sent(self, name, mailer, answer):
        status, content_type, body, _ = answer
        check(f"{name}: 200 sent with the server's 250", status == 200 and body.get("status") == "sent"
              and body.get("smtp", {}).get("code") == 250, f"{status} {body}")
        record = mailer.record("email sent", body.get("id"))
        check(f"{name}: log line 'email sent'", record is not None, mailer.records()[-3:])
        return record

    def expect_failure(self, name, mailer, answer, code, transient, hint_words=(), phase=None, max_seconds=None):
        status, content_type, body, seconds = answer
        # The outbox retries transient errors and the configuration problems EAUTH and ECERT:
        # 202 "deferred" with the attempt's error; anything else fails: 502 problem+json.
        deferred = transient or code in ("EAUTH", "ECERT")
        if deferred:
            check(f"{name}: 202 deferred with error code {code} and the next attempt time",
                  status == 202 and body.get("status") == "deferred" and body.get("error", {}).get("code") == code
                  and body.get("nextAttemptAt"), f"{status} {content_type} {body}")
            email_id, body = body.get("id"), body.get("error", {})
        else:
            check(f"{name}: 502 problem+json with code {code}",
                  status == 502 and content_type == "application/problem+json" and body.get("code") == code,
                  f"{status} {content_type} {body}")
            email_id = body.get("id")
        hint = body.get("hint", "")
        check(f"{name}: transient={str(transient).lower()}", body.get("transient") is transient, body)
        if hint_words:
            check(f"{name}: hint mentions {' and '.join(hint_words)}", all(w in hint for w in hint_words), hint)
        if phase is not None:
            check(f"{name}: phase {phase}", body.get("phase") == phase, body)
        if max_seconds is not None:
            check(f"{name}: answered within {max_seconds:g} s", seconds <= max_seconds, f"{seconds:.1f} s")
        message = "email deferred" if deferred else "email not sent"
        record = mailer.record(message, email_id)
        check(f"{name}: log line '{message}' with code {code} and the same hint",
              record is not None and record.get("code") == code and record.get("hint") == hint
              and record.get("transient") == str(transient).lower(), record or mailer.records()[-3:])
        return body


def parsed(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def text_part(message):
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_content()
    return ""


def check_verification_message(name, raw, to="ada@example.org", code="493817"):
    message = parsed(raw)
    check(f"{name}: message parses with To, From, Subject and the code in the text",
          message["To"] is not None and message["To"].addresses[0].addr_spec == to
          and message["From"].addresses[0].addr_spec == "no-reply@example.com"
          and message["Subject"] == f"Your Acme verification code: {code}"
          and code in text_part(message), raw[:600])


# ---------------------------------------------------------------------------------------------
# The cases

def aiosmtpd_deliveries(m, ca_pem, ca_key, server_tls):
    auth = dict(authenticator=authenticator, auth_required=True)

    # Plaintext with AUTH: allowed only with SMTP_ALLOW_INSECURE_AUTH.
    capture = Capture()
    server = m.aiosmtpd(capture, auth_require_tls=False, **auth)
    # At trace level, so that the password check at the end covers everything the client can log.
    mailer = m.mailer("plain auth", {"SMTP_PORT": str(server.port), "SMTP_USERNAME": USER, "SMTP_PASSWORD": PASSWORD,
                                     "SMTP_ALLOW_INSECURE_AUTH": "true", "MAILER_LOG_LEVEL": "trace"})
    record = m.expect_sent("aiosmtpd plain+AUTH", mailer, mailer.send())
    check("aiosmtpd plain+AUTH: arrived authenticated as alice, without TLS",
          len(capture.messages) == 1 and capture.messages[0]["authenticated"] and capture.messages[0]["login"] == USER
          and not capture.messages[0]["tls"], capture.messages)
    check("aiosmtpd plain+AUTH: log says tls none", record and record.get("tls") == "none", record)
    if capture.messages:
        check_verification_message("aiosmtpd plain+AUTH", capture.messages[0]["content"])

    # The same server, without SMTP_ALLOW_INSECURE_AUTH: the password must not go out in plaintext.
    mailer = m.mailer("plain auth refused", {"SMTP_PORT": str(server.port), "SMTP_USERNAME": USER, "SMTP_PASSWORD": PASSWORD})
    m.expect_failure("aiosmtpd plain+AUTH without SMTP_ALLOW_INSECURE_AUTH", mailer, mailer.send(), "EAUTH", False,
                     ("SMTP_ALLOW_INSECURE_AUTH",))
    check("aiosmtpd plain+AUTH without SMTP_ALLOW_INSECURE_AUTH: nothing delivered", len(capture.messages) == 1, capture.messages)

    # STARTTLS required by server and client, AUTH, our own CA.
    capture = Capture()
    server = m.aiosmtpd(capture, tls_context=server_tls, require_starttls=True, auth_require_tls=True, **auth)
    mailer = m.mailer("starttls auth", {"SMTP_HOST": "localhost", "SMTP_PORT": str(server.port), "SMTP_CA_FILE": ca_pem,
                                        "SMTP_USERNAME": USER, "SMTP_PASSWORD": PASSWORD, "SMTP_REQUIRE_STARTTLS": "true",
                                        "MAILER_LOG_LEVEL": "trace"})
    record = m.expect_sent("aiosmtpd STARTTLS+AUTH", mailer, mailer.send())
    check("aiosmtpd STARTTLS+AUTH: arrived over TLS, authenticated as alice",
          len(capture.messages) == 1 and capture.messages[0]["tls"] and capture.messages[0]["login"] == USER, capture.messages)
    check("aiosmtpd STARTTLS+AUTH: log names the TLS version", record and str(record.get("tls", "")).startswith("TLSv1."), record)
    if capture.messages:
        check_verification_message("aiosmtpd STARTTLS+AUTH", capture.messages[0]["content"])

    # Implicit TLS (SMTPS) with AUTH. aiosmtpd 1.4 counts only STARTTLS as TLS for
    # auth_require_tls, so the whole-session TLS here needs auth_require_tls=False to offer AUTH.
    capture = Capture()
    server = m.aiosmtpd(capture, ssl_context=server_tls, auth_require_tls=False, **auth)
    mailer = m.mailer("implicit tls auth", {"SMTP_HOST": "localhost", "SMTP_PORT": str(server.port), "SMTP_TLS": "true",
                                            "SMTP_CA_FILE": ca_pem, "SMTP_USERNAME": USER, "SMTP_PASSWORD": PASSWORD})
    record = m.expect_sent("aiosmtpd implicit TLS+AUTH", mailer, mailer.send())
    check("aiosmtpd implicit TLS+AUTH: arrived over TLS, authenticated as alice",
          len(capture.messages) == 1 and capture.messages[0]["tls"] and capture.messages[0]["login"] == USER, capture.messages)
    check("aiosmtpd implicit TLS+AUTH: log names the TLS version", record and str(record.get("tls", "")).startswith("TLSv1."), record)
    if capture.messages:
        check_verification_message("aiosmtpd implicit TLS+AUTH", capture.messages[0]["content"])


def tls_failures(m, ca_pem, ca_key, other_ca_pem, server_tls):
    capture = Capture()
    starttls = m.aiosmtpd(capture, tls_context=server_tls, require_starttls=True)
    implicit = m.aiosmtpd(capture, ssl_context=server_tls)
    plain = m.aiosmtpd(capture)

    # Server certificate issued by CA A, SMTP_CA_FILE is CA B.
    for label, server, extra in [("STARTTLS", starttls, {}), ("implicit TLS", implicit, {"SMTP_TLS": "true"})]:
        mailer = m.mailer(f"wrong ca {label}", {"SMTP_HOST": "localhost", "SMTP_PORT": str(server.port),
                                                 "SMTP_CA_FILE": other_ca_pem, **extra})
        body = m.expect_failure(f"wrong CA ({label})", mailer, mailer.send(), "ECERT", False,
                                ("SMTP_CA_FILE", "SMTP_TLS_SKIP_VERIFY"), phase="TLS handshake")
        check(f"wrong CA ({label}): the hint says SMTP_CA_FILE lacks the issuer, not to change SMTP_HOST",
              "does not hold the CA" in body.get("hint", "") and "SMTP_HOST" not in body.get("hint", ""), body.get("hint"))

    # A trusted certificate issued for another name.
    other_name = m.aiosmtpd(capture, tls_context=make_server_certificate(m.work, ca_pem, ca_key, "DNS:mail.example.test"),
                            require_starttls=True)
    mailer = m.mailer("wrong name", {"SMTP_HOST": "localhost", "SMTP_PORT": str(other_name.port), "SMTP_CA_FILE": ca_pem})
    body = m.expect_failure("certificate for another host name", mailer, mailer.send(), "ECERT", False,
                            ("SMTP_HOST",), phase="TLS handshake")
    check("certificate for another host name: detail names the certificate's name, hint not about SMTP_CA_FILE",
          "mail.example.test" in body.get("detail", "") and "SMTP_CA_FILE" not in body.get("hint", ""), body)

    # Implicit TLS against a STARTTLS port: the server greets in plaintext.
    mailer = m.mailer("implicit vs starttls", {"SMTP_HOST": "localhost", "SMTP_PORT": str(starttls.port), "SMTP_TLS": "true",
                                               "SMTP_CA_FILE": ca_pem, "SMTP_GREETING_TIMEOUT": "3"})
    body = m.expect_failure("SMTP_TLS=true against a STARTTLS port", mailer, mailer.send(), "ETLS", False,
                            ("465", "587", "SMTP_TLS=false"), max_seconds=3 + 2)
    check("SMTP_TLS=true against a STARTTLS port: tlsReason says the server did not speak TLS",
          body.get("tlsReason") in ("wrong version number", "http request", "packet length too long"), body)

    # Plaintext (STARTTLS-when-offered) client against an implicit-TLS port: no greeting comes.
    mailer = m.mailer("starttls vs implicit", {"SMTP_HOST": "localhost", "SMTP_PORT": str(implicit.port),
                                               "SMTP_CA_FILE": ca_pem, "SMTP_GREETING_TIMEOUT": "2"})
    body = m.expect_failure("SMTP_TLS=false against an implicit-TLS port", mailer, mailer.send(), "ETLS", False,
                            ("465", "SMTP_TLS=true"), phase="greeting", max_seconds=2 + 2)
    check("SMTP_TLS=false against an implicit-TLS port: tlsReason 'no greeting in plaintext'",
          body.get("tlsReason") == "no greeting in plaintext", body)

    # SMTP_REQUIRE_STARTTLS against a server without STARTTLS: nothing in plaintext.
    mailer = m.mailer("require starttls", {"SMTP_PORT": str(plain.port), "SMTP_REQUIRE_STARTTLS": "true"})
    m.expect_failure("SMTP_REQUIRE_STARTTLS=true without STARTTLS", mailer, mailer.send(), "ETLS", False,
                     ("SMTP_REQUIRE_STARTTLS",))
    check("TLS failures: nothing was delivered", not capture.messages, capture.messages)


def envelope_and_connection_failures(m, ca_pem, server_tls):
    # Closed port.
    mailer = m.mailer("closed port", {"SMTP_PORT": str(free_port())})
    m.expect_failure("closed port", mailer, mailer.send(), "ECONNREFUSED", True, ("SMTP_HOST", "SMTP_PORT"), phase="connect")

    # Wrong password (STARTTLS + AUTH).
    capture = Capture()
    server = m.aiosmtpd(capture, tls_context=server_tls, require_starttls=True, authenticator=authenticator,
                        auth_required=True, auth_require_tls=True)
    mailer = m.mailer("wrong password", {"SMTP_HOST": "localhost", "SMTP_PORT": str(server.port), "SMTP_CA_FILE": ca_pem,
                                         "SMTP_USERNAME": USER, "SMTP_PASSWORD": WRONG_PASSWORD})
    body = m.expect_failure("wrong password", mailer, mailer.send(), "EAUTH", False, ("SMTP_USERNAME", "SMTP_PASSWORD"), phase="AUTH")
    check("wrong password: the server's 535 is reported", body.get("smtp", {}).get("code") == 535, body)
    check("wrong password: nothing delivered", not capture.messages, capture.messages)

    # Rejected recipient (aiosmtpd: 550 5.1.1 for addresses containing 'bounce').
    capture = Capture()
    server = m.aiosmtpd(capture)
    mailer = m.mailer("rejected rcpt", {"SMTP_PORT": str(server.port)})
    body = m.expect_failure("rejected recipient", mailer, mailer.send(to="bounce@example.org"), "EENVELOPE", False,
                            ("recipient",), phase="RCPT TO")
    check("rejected recipient: rejectedRecipients and 5.1.1",
          body.get("rejectedRecipients") == ["bounce@example.org"] and body.get("smtp", {}).get("enhancedCode") == "5.1.1", body)
    check("rejected recipient: nothing delivered", not capture.messages, capture.messages)

    # The server aborts the connection in the middle of DATA.
    capture = Capture()
    server = m.aiosmtpd(capture, protocol=DropMidDataSMTP)
    mailer = m.mailer("drop mid data", {"SMTP_PORT": str(server.port)})
    m.expect_failure("connection dropped mid-DATA", mailer, mailer.send(), "ECONNRESET", True)
    check("connection dropped mid-DATA: nothing delivered", not capture.messages, capture.messages)


def idle_pooled_connection(m):
    """Two emails share one pooled session; the server closes it while idle (aiosmtpd's timeout,
    shorter than SMTP_POOL_IDLE_SECONDS); the next email goes out on a new session, not lost."""
    server_idle = 2
    capture = Capture()
    server = m.aiosmtpd(capture, timeout=server_idle)
    mailer = m.mailer("idle close", {"SMTP_PORT": str(server.port), "SMTP_POOL_SIZE": "1",
                                     "SMTP_POOL_IDLE_SECONDS": "60", "SMTP_POOL_MAX_MESSAGES": "100"})
    check("idle close: the mailer runs with the pool settings",
          mailer.configuration().get("smtp_pool_idle_seconds", "").startswith("60"), mailer.configuration())
    first, second = mailer.send(code="111111"), mailer.send(code="222222")
    check("idle close: two quick emails sent", first[0] == 200 and second[0] == 200, (first, second))
    after_two = server.connections
    check("idle close: the two quick emails shared one connection (pooling)", after_two == 1, f"{after_two} connections")
    time.sleep(server_idle + 1.5)   # aiosmtpd closes the idle session
    third = mailer.send(code="333333")
    m.expect_sent("idle close: the email after the server closed the idle connection", mailer, third)
    check("idle close: it went out on a new connection", server.connections == after_two + 1,
          f"{server.connections} connections, {after_two} before")
    check("idle close: all three arrived", sorted(parsed(c["content"])["Subject"][-6:] for c in capture.messages)
          == ["111111", "222222", "333333"], [c["rcpt_tos"] for c in capture.messages])


def postfix_smtp_sink(m):
    # Accepting sink: PIPELINING, 8BITMIME, ENHANCEDSTATUSCODES, DSN, and its odd EHLO reply.
    sink = m.sink("accept")
    mailer = m.mailer("smtp-sink", {"SMTP_PORT": str(sink.port)})
    m.expect_sent("smtp-sink", mailer, mailer.send(to="ada@example.org"))
    m.expect_sent("smtp-sink second email", mailer, mailer.send(to="bob@example.org", code="777777"))
    dumps = sink.dumps(2)
    check("smtp-sink: dumped 2 messages", len(dumps) == 2, len(dumps))
    by_to = {}
    for raw in dumps:
        message = parsed(raw)
        by_to[message["To"].addresses[0].addr_spec if message["To"] else None] = (raw, message)
    if "ada@example.org" in by_to and "bob@example.org" in by_to:
        raw, message = by_to["ada@example.org"]
        check_verification_message("smtp-sink", raw)
        check("smtp-sink: EHLO name and envelope as sent",
              message["X-Helo-Args"] == "matrix.example.com" and "<no-reply@example.com>" in message["X-Mail-Args"]
              and message["X-Rcpt-Args"] == "<ada@example.org>", {k: message[k] for k in ("X-Helo-Args", "X-Mail-Args", "X-Rcpt-Args")})
        check_verification_message("smtp-sink second email", by_to["bob@example.org"][0], to="bob@example.org", code="777777")
    else:
        check("smtp-sink: messages to ada and bob", False, list(by_to))

    # Without PIPELINING, 8BITMIME, ENHANCEDSTATUSCODES and DSN.
    sink = m.sink("minimal", ["-p", "-8", "-E", "-N"])
    mailer = m.mailer("smtp-sink minimal", {"SMTP_PORT": str(sink.port)})
    m.expect_sent("smtp-sink without PIPELINING/8BITMIME/ENHANCEDSTATUSCODES", mailer, mailer.send())
    dumps = sink.dumps(1)
    check("smtp-sink without PIPELINING/8BITMIME/ENHANCEDSTATUSCODES: message arrived", len(dumps) == 1, len(dumps))
    if dumps:
        check_verification_message("smtp-sink without PIPELINING/8BITMIME/ENHANCEDSTATUSCODES", dumps[0])

    # RCPT rejected, permanently and temporarily.
    sink = m.sink("rcpt-5xx", ["-f", "RCPT", "-B", "550 5.1.1 Recipient address rejected: User unknown"])
    mailer = m.mailer("smtp-sink rcpt 5xx", {"SMTP_PORT": str(sink.port)})
    body = m.expect_failure("smtp-sink RCPT 550", mailer, mailer.send(), "EENVELOPE", False, phase="RCPT TO")
    check("smtp-sink RCPT 550: rejectedRecipients", body.get("rejectedRecipients") == ["ada@example.org"], body)
    sink = m.sink("rcpt-4xx", ["-r", "RCPT"])
    mailer = m.mailer("smtp-sink rcpt 4xx", {"SMTP_PORT": str(sink.port)})
    m.expect_failure("smtp-sink RCPT 450", mailer, mailer.send(), "EENVELOPE", True, ("again later",), phase="RCPT TO")

    # 421 and disconnect at MAIL FROM: nothing was accepted, can be sent again.
    sink = m.sink("421-mail", ["-Q", "MAIL"])
    mailer = m.mailer("smtp-sink 421", {"SMTP_PORT": str(sink.port)})
    m.expect_failure("smtp-sink 421 at MAIL FROM", mailer, mailer.send(), "ECONNECTION", True)

    # Disconnect without a reply to DATA: the transaction was under way, but no content went out.
    sink = m.sink("drop-at-data", ["-q", "DATA"])
    mailer = m.mailer("smtp-sink drop at data", {"SMTP_PORT": str(sink.port)})
    m.expect_failure("smtp-sink disconnect at DATA", mailer, mailer.send(), "ECONNRESET", True,
                     ("can be sent again",), phase="DATA")

    # Disconnect without a reply after the final dot: the server may have the message.
    sink = m.sink("drop-after-dot", ["-q", "."])
    mailer = m.mailer("smtp-sink drop after dot", {"SMTP_PORT": str(sink.port)})
    m.expect_failure("smtp-sink disconnect after the final dot", mailer, mailer.send(), "ECONNRESET", True,
                     ("may already have",), phase="end of message")


def no_secret_leaked():
    plain_blob = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    leaks = []
    for path in mailer_logs:
        text = open(path).read()
        for secret in (PASSWORD, WRONG_PASSWORD, plain_blob, base64.b64encode(PASSWORD.encode()).decode(), interop_support.API_TOKEN):
            if secret in text:
                leaks.append((os.path.basename(path), secret))
    check(f"no password (plain or base64) nor API token in the output of {len(mailer_logs)} mailer runs", not leaks, leaks)
    records = [line for path in mailer_logs for line in open(path).read().splitlines() if line.strip()]
    check("every mailer output line is a JSON object", all(line.startswith("{") and json.loads(line) for line in records),
          [line for line in records if not line.startswith("{")][:3])


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    binary = os.path.abspath(sys.argv[1])
    if not os.access(SMTP_SINK, os.X_OK):
        print(f"FAIL {SMTP_SINK} not found: install postfix (see .ci/run)")
        return 1
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="mailer-smtp-matrix-")
    os.chmod(work, 0o755)
    ca_pem, ca_key = make_ca(work, "ca-a")
    other_ca_pem, _ = make_ca(work, "ca-b")
    server_tls = make_server_certificate(work, ca_pem, ca_key)
    m = Matrix(binary, work)
    try:
        for section in (lambda: aiosmtpd_deliveries(m, ca_pem, ca_key, server_tls),
                        lambda: tls_failures(m, ca_pem, ca_key, other_ca_pem, server_tls),
                        lambda: envelope_and_connection_failures(m, ca_pem, server_tls),
                        lambda: idle_pooled_connection(m),
                        lambda: postfix_smtp_sink(m)):
            try:
                section()
            except Exception as error:   # a crashed section is a failure, the others still run
                check(f"section raised {type(error).__name__}", False, error)
            finally:
                m.stop_all()
    finally:
        m.stop_all()
    no_secret_leaked()
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed ({time.monotonic() - started:.0f} s)")
    if passed == len(results):
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"logs kept in {work}")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
