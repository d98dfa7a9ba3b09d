"""Starting, stopping and watching one `salon serve` on loopback for Scripts/flood and Scripts/soak."""
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

DOMAIN = "localhost"
CHAT = f"chat.{DOMAIN}"
UPLOAD = f"upload.{DOMAIN}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    """Resident set size of `pid` in KiB (VmRSS), or 0 once it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class PortTaken(Exception):
    pass


def cpu_seconds(pid):
    """User and system CPU time `pid` has used, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class Salon:
    """One server in `workdir`, on free loopback ports, started and stopped by this process."""

    def __init__(self, binary, workdir, env=None):
        self.binary = str(binary)
        self.workdir = Path(workdir)
        self.data = self.workdir / "data"
        self.c2s, self.tls, self.http = free_port(), free_port(), free_port()
        self.env = dict(os.environ, **(env or {}))
        self.process = None
        self.log = self.workdir / "salon.log"

    def cli(self, *args, check=True):
        result = subprocess.run([self.binary, *args, "--data-dir", str(self.data)], cwd=self.workdir,
                                capture_output=True, text=True, timeout=120, env=self.env)
        if check and result.returncode != 0:
            raise RuntimeError(f"salon {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def start(self, timeout=60, attempts=3):
        """Starts the server; when one of its ports was taken meanwhile (they are picked free
        once, and another program may have bound one since), picks new ports and tries again."""
        for attempt in range(attempts):
            try:
                return self._start(timeout)
            except PortTaken:
                if attempt == attempts - 1:
                    raise
                self.c2s, self.tls, self.http = free_port(), free_port(), free_port()

    def _start(self, timeout):
        offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "serve", "--domain", DOMAIN, "--c2s-port", str(self.c2s),
                 "--tls-port", str(self.tls), "--component-port", "-1", "--http-port", str(self.http),
                 "--data-dir", str(self.data)],
                cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                if b"is already in use" in self.log.read_bytes()[offset:]:
                    raise PortTaken()
                raise RuntimeError(f"salon exited with {self.process.returncode}; see {self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.c2s), timeout=0.5):
                    pass
                with socket.create_connection(("127.0.0.1", self.http), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("salon did not start")

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL: no shutdown of any kind."""
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
        if self.process:
            self.process.wait()

    def stop(self, timeout=30):
        if not self.alive():
            return self.process.returncode if self.process else None
        self.process.terminate()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
