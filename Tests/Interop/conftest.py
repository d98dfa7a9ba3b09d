"""Runs a real `salon serve` on loopback for the slixmpp interop tests.

With SALON_TEST_SERVER_BACKEND=postgresql (`Scripts/test`'s second pass), every server keeps
its data in a schema of its own on the test cluster (SALON_TEST_POSTGRES_URL), and only the
tests that talk to a server run: those using the `salon` fixture and those marked
`both_backends`; tests marked `sqlite_only` (they read salon.sqlite) are skipped."""
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "localhost"
COMPONENT = "bot.localhost"
COMPONENT_SECRET = "interop-secret"


def salon_binary() -> Path:
    path = ROOT / ".build" / "debug" / "salon"
    if not path.exists():
        subprocess.run(["swift", "build", "--product", "salon"], cwd=ROOT, check=True)
    return path


ON_POSTGRESQL = os.environ.get("SALON_TEST_SERVER_BACKEND") == "postgresql"
PSQL = "/usr/lib/postgresql/15/bin/psql"


def psql(url: str, sql: str) -> str:
    """Runs one SQL command on the test cluster; its rows, unaligned, without headers."""
    return subprocess.run([PSQL, "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql, url],
                          check=True, capture_output=True, text=True).stdout


def postgresql_environment() -> dict:
    """The environment that puts a deployment's data in a new schema of the test cluster."""
    url = os.environ["SALON_TEST_POSTGRES_URL"]
    schema = "interop_" + uuid.uuid4().hex
    psql(url, f"CREATE SCHEMA {schema}")
    return {"SALON_STORAGE_BACKEND": "postgresql", "SALON_STORAGE_POSTGRESQL_URL": f"{url}?schema={schema}"}


def storage_environment() -> dict:
    """A new server's storage: a schema of its own on PostgreSQL, or nothing (SQLite in the
    data directory)."""
    return postgresql_environment() if ON_POSTGRESQL else {}


def pytest_configure(config):
    config.addinivalue_line("markers", "both_backends: talks to a server of its own; runs on PostgreSQL too")
    config.addinivalue_line("markers", "sqlite_only: looks inside salon.sqlite")


def pytest_collection_modifyitems(config, items):
    if not ON_POSTGRESQL:
        return
    skip = pytest.mark.skip(reason="SQLite only, or no server: run in the SQLite pass")
    for item in items:
        if item.get_closest_marker("sqlite_only") or not (
                "salon" in item.fixturenames or item.get_closest_marker("both_backends")):
            item.add_marker(skip)


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on now, below the kernel's ephemeral range: the
    server binds it later, and a port the kernel hands out (port 0) may meanwhile become the
    local port of an outgoing connection (a test client's, a server's to PostgreSQL). Never
    one it handed out before: a cluster's nodes take their ports before any of them binds."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    floor = 10000
    for _ in range(100):
        port = random.randrange(floor, max(low, floor + 1000))
        if port in _HANDED_OUT:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            _HANDED_OUT.add(port)
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")


class Salon:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.binary = salon_binary()
        self.c2s, self.tls, self.component, self.http = free_port(), free_port(), free_port(), free_port()
        self.process = None
        self.output = workdir / "salon.log"
        # The environment of this server's processes (serve and CLI commands alike).
        self.env = {**os.environ, **storage_environment()}

    def start(self):
        log = open(self.output, "ab")
        self.process = subprocess.Popen(
            [str(self.binary), "serve", "--domain", DOMAIN,
             "--c2s-port", str(self.c2s), "--tls-port", str(self.tls),
             "--component-port", str(self.component), "--http-port", str(self.http),
             "--component", f"{COMPONENT}={COMPONENT_SECRET}",
             "--data-dir", str(self.workdir / "data")],
            cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("salon exited:\n" + self.output.read_text())
            try:
                with socket.create_connection(("127.0.0.1", self.c2s), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("salon did not start")

    def user(self, name: str, password: str):
        result = subprocess.run([str(self.binary), "user", "add", f"{name}@{DOMAIN}", "--password", password,
                                 "--data-dir", str(self.workdir / "data")],
                                cwd=self.workdir, capture_output=True, text=True, env=self.env)
        assert result.returncode == 0, result.stderr

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise


@pytest.fixture(scope="session")
def salon():
    workdir = Path(tempfile.mkdtemp(prefix="salon-interop-"))
    server = Salon(workdir)
    server.start()
    yield server
    server.stop()
    assert server.process.returncode == 0, server.output.read_text()
    shutil.rmtree(workdir, ignore_errors=True)
