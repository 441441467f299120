"""A throwaway PostgreSQL server on loopback for the interoperability scripts: the Debian package's
binaries (apt-get install postgresql; .ci/run installs it), a cluster in a temporary folder, a free
port, password authentication over TCP, and one new database per call to `database()`.

Run as root (CI), the cluster belongs to `nobody`, as initdb refuses root. Standard library only."""
import glob
import os
import shutil
import subprocess
import tempfile
import time

from interop_support import free_port

USER = "mailer"
PASSWORD = "interop-secret-password"


def binaries():
    """The folder of initdb/pg_ctl/psql, newest version first; None when PostgreSQL is missing."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]), reverse=True)
    return os.path.dirname(found[0]) if found else None


class PostgresServer:
    def __init__(self, fsync=True):
        """fsync=False for tests that kill mailers, never the database: faster, same semantics."""
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql (the Debian package)")
        self.root = tempfile.mkdtemp(prefix="mailer-postgres-")
        os.chmod(self.root, 0o755)
        self.data = os.path.join(self.root, "data")
        self.sockets = os.path.join(self.root, "sockets")
        self.port = free_port()
        self.prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
        os.makedirs(self.sockets)
        if self.prefix:
            shutil.chown(self.root, 65534, 65534)
            shutil.chown(self.sockets, 65534, 65534)
        password_file = os.path.join(self.root, "password")
        with open(password_file, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(password_file, 0o644)
        self.run("initdb", "-D", self.data, "-U", USER, "--pwfile", password_file, "--auth-local=trust", "--auth-host=scram-sha-256",
                 "-E", "UTF8", "--no-locale", "--no-sync")
        self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.root, "server.log"), "-w", "-t", "60", "-o",
                 f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync={'on' if fsync else 'off'}",
                 "start")
        self.databases = 0

    def run(self, tool, *arguments):
        result = subprocess.run(self.prefix + [os.path.join(self.bin, tool), *arguments],
                                cwd=self.root, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stdout}{result.stderr}")
        return result.stdout

    def sql(self, statement, database="postgres"):
        """Runs one statement through psql; returns its rows as tuples of strings."""
        output = self.run("psql", "-h", self.sockets, "-p", str(self.port), "-U", USER, "-d", database,
                          "-v", "ON_ERROR_STOP=1", "-A", "-t", "-F", "\t", "-c", statement)
        return [tuple(line.split("\t")) for line in output.splitlines() if line]

    def database(self):
        """A new, empty database; returns its MAILER_DATABASE_URL."""
        self.databases += 1
        name = f"mailer_{self.databases}"
        self.sql(f"CREATE DATABASE {name}")
        return self.url(name)

    def url(self, name):
        return f"postgres://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{name}?sslmode=disable"

    def stop(self):
        try:
            self.run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
