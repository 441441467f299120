"""What the interoperability scripts share: the check/summary printing, free ports, starting the
real `mailer serve` the way users run it, posting emails over HTTP, and an aiosmtpd handler that
keeps what arrives. Standard library only (aiosmtpd is imported by the scripts that use it)."""
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "lib"))
import free_port as _free_port  # noqa: E402

results = []

# Every mailer started here requires this token (MAILER_API_TOKENS), as a deployment does, and
# `post` and `request` send it; start_mailer(..., token=None) lets the service generate its own.
API_TOKEN = "interop-" + secrets.token_hex(16)


def check(name, condition, detail=""):
    condition = bool(condition)
    results.append(condition)
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f": {str(detail)[:600]}"), flush=True)


def summary():
    """Prints 'N passed, N failed' and returns the exit status."""
    failed = results.count(False)
    print(f"{results.count(True)} passed, {failed} failed")
    return 1 if failed else 0


def free_port():
    """A loopback port below the ephemeral range (scripts/lib/free_port.py says why)."""
    return _free_port.free_port()


class Capture:
    """aiosmtpd handler: every message as a dict (envelope, bytes, TLS and AUTH state)."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append({
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "content": envelope.original_content,
                # aiosmtpd 1.4 sets session.ssl only after STARTTLS; implicit TLS shows on the transport.
                "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                "authenticated": session.authenticated,
                "login": session.auth_data.decode() if isinstance(session.auth_data, bytes) else session.auth_data,
            })
        return "250 2.0.0 OK: queued"

    def wait_for(self, count, timeout=5):
        deadline = time.time() + timeout
        while len(self.messages) < count and time.time() < deadline:
            time.sleep(0.05)
        return len(self.messages) >= count


def start_mailer(binary, env_overrides, log_path, token=API_TOKEN):
    """`mailer serve` with only the given settings (plus an empty outbox of its own and the API
    token, unless token is None), run as an unprivileged user when we are root, as the image runs
    it, so that anything needing root (a socket option, a file mode) fails here and not only in
    production. Returns once healthy (/healthz needs no token)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "MAILER_", "DKIM_"))}
    data = tempfile.mkdtemp(prefix="mailer-data-")
    os.chmod(data, 0o777)
    env["MAILER_DATA_DIR"] = data
    if token is not None:
        env["MAILER_API_TOKENS"] = f"interop:{token}"
    env.update(env_overrides)
    log = open(log_path, "w")
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 and shutil.which("setpriv") else []
    process = subprocess.Popen(prefix + [binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
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


def authorization(token=API_TOKEN):
    """The header that authenticates an API call; none for token=None."""
    return {"Authorization": f"Bearer {token}"} if token else {}


def post(port, path, body, wait=10, token=API_TOKEN, headers=None):
    """POST JSON with `Prefer: wait` (and any other `headers`); returns (status, content type, decoded JSON)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Prefer": f"wait={wait}", **authorization(token), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=wait + 10) as response:
            return response.status, response.headers.get("Content-Type"), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), json.loads(error.read())


def request(port, path, method="GET", token=API_TOKEN):
    """An API call without a body; returns (status, headers, decoded JSON)."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, headers=authorization(token))
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


def generated_token(log_path):
    """The token a mailer started without MAILER_API_TOKENS logged, as `docker compose logs
    mailer | grep api_token` shows it; None when there is none."""
    tokens = [r["api_token"] for r in log_records(log_path) if "api_token" in r]
    return tokens[-1] if tokens else None


def log_records(path):
    return [json.loads(line) for line in open(path) if line.strip().startswith("{")]
