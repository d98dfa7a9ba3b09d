"""Runs a real `salon serve` on loopback for the slixmpp interop tests."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Salon:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.binary = salon_binary()
        self.c2s, self.tls, self.component, self.http = free_port(), free_port(), free_port(), free_port()
        self.process = None
        self.output = workdir / "salon.log"

    def start(self):
        log = open(self.output, "ab")
        self.process = subprocess.Popen(
            [str(self.binary), "serve", "--domain", DOMAIN,
             "--c2s-port", str(self.c2s), "--tls-port", str(self.tls),
             "--component-port", str(self.component), "--http-port", str(self.http),
             "--component", f"{COMPONENT}={COMPONENT_SECRET}",
             "--data-dir", str(self.workdir / "data")],
            cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)
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
                                cwd=self.workdir, capture_output=True, text=True)
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
