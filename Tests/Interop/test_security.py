"""#18 item 6 through the real binary: TLS settings seen by `openssl s_client` (direct TLS and
STARTTLS), the files `salon serve` and `salon init` create under the most permissive umask,
the SCRAM iteration floor, and the first administrator's password: printed once, never logged,
even at trace level, through a wrong and a right login."""
import asyncio
import os
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import DOMAIN, free_port, salon_binary
from test_slixmpp_clients import TIMEOUT, insecure

from slixmpp import ClientXMPP

# What Salon allows in TLS 1.2: ECDHE key exchange with an AEAD cipher.
ALLOWED_TLS12 = {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305",
                 "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"}
# Ciphers OpenSSL's defaults would agree to with Salon's EC certificate, all refused: CBC, no
# encryption. SECLEVEL=0 lets s_client offer them, so a refusal is the server's.
WEAK_TLS12 = ["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-NULL-SHA"]


class PrivateServer:
    """`salon serve` started under umask 0, logging at trace to its own file, stdout apart."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.c2s, self.tls, self.http = free_port(), free_port(), free_port()
        self.stdout, self.stderr = workdir / "stdout.txt", workdir / "stderr.txt"
        self.process = subprocess.Popen(
            [str(salon_binary()), "serve", "--domain", DOMAIN, "--c2s-port", str(self.c2s), "--tls-port", str(self.tls),
             "--component-port", "-1", "--http-port", str(self.http), "--data-dir", str(workdir / "data")],
            cwd=workdir, stdout=open(self.stdout, "wb"), stderr=open(self.stderr, "wb"),
            env={**os.environ, "SALON_LOG_LEVEL": "trace"}, preexec_fn=lambda: os.umask(0))
        deadline = time.time() + 30
        while "serving" not in self.stderr.read_text():
            assert self.process.poll() is None, self.stderr.read_text()
            assert time.time() < deadline, "salon did not start"
            time.sleep(0.1)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = PrivateServer(tmp_path_factory.mktemp("security"))
    yield running
    running.stop()


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def s_client(port: int, starttls: bool, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    command = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", DOMAIN, *args]
    if starttls:
        command += ["-starttls", "xmpp", "-xmpphost", DOMAIN]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=30)


LISTENERS = [pytest.param(False, id="direct-tls"), pytest.param(True, id="starttls")]


def port(server: PrivateServer, starttls: bool) -> int:
    return server.c2s if starttls else server.tls


@pytest.mark.parametrize("starttls", LISTENERS)
def test_tls_1_1_is_refused(server, starttls):
    result = s_client(port(server, starttls), starttls, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")
    assert result.returncode != 0
    # The server's alert (70), not a client that could not offer TLS 1.1.
    assert "alert protocol version" in result.stdout + result.stderr


@pytest.mark.parametrize("starttls", LISTENERS)
@pytest.mark.parametrize("cipher", WEAK_TLS12)
def test_weak_tls_1_2_ciphers_are_refused(server, starttls, cipher):
    result = s_client(port(server, starttls), starttls, "-no_tls1_3", "-cipher", f"{cipher}@SECLEVEL=0")
    assert result.returncode != 0
    assert "alert handshake failure" in result.stdout + result.stderr


@pytest.mark.parametrize("starttls", LISTENERS)
def test_tls_1_2_negotiates_ecdhe_with_aead_and_no_compression(server, starttls):
    result = s_client(port(server, starttls), starttls, "-no_tls1_3", "-comp")
    fields = {key.strip(): value.strip() for key, value in
              (line.split(" : ", 1) for line in result.stdout.splitlines() if " : " in line)}
    assert fields.get("Protocol") == "TLSv1.2", result.stdout
    assert fields.get("Cipher") in ALLOWED_TLS12
    assert "Compression: NONE" in result.stdout


@pytest.mark.parametrize("starttls", LISTENERS)
def test_renegotiation_is_refused(server, starttls):
    command = ["openssl", "s_client", "-connect", f"127.0.0.1:{port(server, starttls)}", "-no_tls1_3"]
    if starttls:
        command += ["-starttls", "xmpp", "-xmpphost", DOMAIN]
    client = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # "R" asks s_client to renegotiate; stdin stays open so only the server can end it.
        client.stdin.write(b"R\n")
        client.stdin.flush()
        output = b""
        deadline = time.time() + 20
        while b"no renegotiation" not in output and time.time() < deadline:
            ready, _, _ = select.select([client.stdout], [], [], max(0, deadline - time.time()))
            chunk = os.read(client.stdout.fileno(), 65536) if ready else b""
            if not chunk:
                break
            output += chunk
        assert b"RENEGOTIATING" in output, output.decode(errors="replace")
        assert b"no renegotiation" in output, output.decode(errors="replace")
    finally:
        client.kill()
        client.wait()


def test_first_start_makes_private_files_whatever_the_umask(server):
    data, certs = server.workdir / "data", server.workdir / "Certs"
    expected = {data: 0o700, data / "files": 0o700, data / "files" / "partial": 0o700, certs: 0o700,
                certs / f"{DOMAIN}.key": 0o600}
    for name in ["salon.sqlite", "salon.sqlite-wal", "salon.sqlite-shm", "salon.sqlite.lock", "serve.lock"]:
        expected[data / name] = 0o600
    actual = {path: mode(path) for path in expected}
    assert actual == expected


def test_init_makes_private_files_whatever_the_umask(tmp_path):
    result = subprocess.run([str(salon_binary()), "init", "--data-dir", str(tmp_path / "deep" / "data")],
                            cwd=tmp_path, capture_output=True, text=True, preexec_fn=lambda: os.umask(0))
    assert result.returncode == 0, result.stderr
    data = tmp_path / "deep" / "data"
    assert mode(tmp_path / "deep") == 0o700 and mode(data) == 0o700
    files = [path for path in data.iterdir()]
    assert data / "salon.sqlite" in files
    assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}


def test_scram_iterations_below_4096_are_refused(tmp_path):
    def init(iterations: str):
        return subprocess.run([str(salon_binary()), "init", "--data-dir", str(tmp_path / "data")], cwd=tmp_path,
                              capture_output=True, text=True, env={**os.environ, "SALON_SCRAM_ITERATIONS": iterations})
    refused = init("1000")
    assert refused.returncode != 0
    assert "scram.iterations must be at least 4096" in refused.stderr
    assert not (tmp_path / "data").exists()
    assert init("4096").returncode == 0


def test_first_administrator_password_is_printed_once_and_never_logged(server):
    deadline = time.time() + 30
    while "Change it with" not in server.stdout.read_text():
        assert time.time() < deadline, "no first-start banner"
        time.sleep(0.1)
    banner = server.stdout.read_text()
    assert banner.count("password:") == 1
    password = banner.split("password:")[1].split()[0]
    jid = banner.split("JID:")[1].split()[0]

    async def login(secret: str) -> bool:
        xmpp = ClientXMPP(f"{jid}/security", secret)
        insecure(xmpp)
        xmpp.enable_direct_tls = False
        outcome = asyncio.get_running_loop().create_future()
        xmpp.add_event_handler("session_start", lambda _: outcome.done() or outcome.set_result(True))
        xmpp.add_event_handler("failed_all_auth", lambda _: outcome.done() or outcome.set_result(False))
        xmpp.connect("127.0.0.1", server.c2s)
        result = await asyncio.wait_for(outcome, TIMEOUT)
        xmpp.disconnect()
        await asyncio.wait_for(xmpp.disconnected, TIMEOUT)
        return result

    assert not asyncio.run(login(password[::-1]))
    assert asyncio.run(login(password))
    log = server.stderr.read_text()
    # The log is the one the logins wrote: the wrong password's line is there, never a password.
    assert f"account={jid}" in log and "authentication failed" in log
    assert password not in log and password[::-1] not in log
    assert server.stdout.read_text().count(password) == 1
