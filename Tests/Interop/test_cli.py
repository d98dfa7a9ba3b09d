"""The `salon` command line as an operator uses it: first start, accounts, configuration
errors, ports in use, graceful shutdown."""
import asyncio
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from conftest import DOMAIN, free_port, salon_binary
from test_slixmpp_clients import TIMEOUT, insecure

from slixmpp import ClientXMPP


def salon(*args, cwd, env=None, timeout=60):
    return subprocess.run([str(salon_binary()), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def wait_for_port(port, process, deadline=30, interval=0.1):
    for _ in range(int(deadline / interval)):
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(interval)
    return False


def test_a_signal_as_soon_as_the_port_answers_is_a_graceful_shutdown(tmp_path):
    # The signal handlers are in place before the listeners open: a first start (which also
    # creates and prints the first administrator) and a second one both exit cleanly.
    c2s = free_port()
    for _ in range(3):
        process = subprocess.Popen(
            [str(salon_binary()), "serve", "--c2s-port", str(c2s), "--tls-port", "-1", "--component-port", "-1", "--http-port", "-1"],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert wait_for_port(c2s, process, interval=0.002)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
        assert process.returncode == 0, err


def test_user_commands(tmp_path):
    data = ["--data-dir", str(tmp_path / "data")]
    assert salon("init", *data, cwd=tmp_path).returncode == 0
    added = salon("user", "add", "erin@localhost", *data, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "created erin@localhost with password " in added.stdout
    assert salon("user", "add", "frank", "--password", "secret", *data, cwd=tmp_path).returncode == 0
    listed = salon("user", "list", *data, cwd=tmp_path)
    assert listed.stdout.split() == ["erin@localhost", "frank@localhost"]
    duplicate = salon("user", "add", "frank@localhost", "--password", "x", *data, cwd=tmp_path)
    assert duplicate.returncode != 0 and "already exists" in duplicate.stderr
    assert salon("user", "passwd", "frank@localhost", "--password", "new", *data, cwd=tmp_path).returncode == 0
    assert salon("user", "delete", "frank@localhost", *data, cwd=tmp_path).returncode == 0
    missing = salon("user", "delete", "frank@localhost", *data, cwd=tmp_path)
    assert missing.returncode != 0 and "does not exist" in missing.stderr
    invalid = salon("user", "add", "not a jid@@", *data, cwd=tmp_path)
    assert invalid.returncode != 0 and "not a valid account JID" in invalid.stderr


def test_first_start_prints_an_admin_who_can_log_in_and_sigterm_is_graceful(tmp_path):
    c2s = free_port()
    process = subprocess.Popen(
        [str(salon_binary()), "serve", "--c2s-port", str(c2s), "--tls-port", "-1", "--component-port", "-1", "--http-port", "-1"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for_port(c2s, process), process.stderr.read() if process.poll() is not None else "not listening"
        assert (tmp_path / "Certs" / "localhost.crt").exists()
        assert (tmp_path / "data" / "salon.sqlite").exists()
        banner = [process.stdout.readline() for _ in range(3)]
        jid = banner[1].split()[-1]
        password = banner[2].split()[-1]
        assert jid == "admin@localhost"

        async def login():
            xmpp = ClientXMPP(f"{jid}/cli", password)
            insecure(xmpp)
            xmpp.enable_direct_tls = False
            started = asyncio.get_running_loop().create_future()
            xmpp.add_event_handler("session_start", lambda _: started.done() or started.set_result(True))
            xmpp.add_event_handler("failed_all_auth", lambda _: started.done() or started.set_result(False))
            xmpp.connect("127.0.0.1", c2s)
            assert await asyncio.wait_for(started, TIMEOUT)
            xmpp.disconnect()
            await asyncio.wait_for(xmpp.disconnected, TIMEOUT)

        asyncio.run(login())
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert process.returncode == 0
    # The banner is printed once only.
    again = subprocess.Popen(
        [str(salon_binary()), "serve", "--c2s-port", str(c2s), "--tls-port", "-1", "--component-port", "-1", "--http-port", "-1"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_for_port(c2s, again)
    again.send_signal(signal.SIGINT)
    out, _ = again.communicate(timeout=20)
    assert again.returncode == 0
    assert "password" not in out


def test_port_in_use_and_bad_configuration_exit_nonzero(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = salon("serve", "--c2s-port", str(port), "--tls-port", "-1", "--component-port", "-1", "--http-port", "-1", cwd=tmp_path)
        assert result.returncode != 0
        assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
        # The first-start password is for a server that listens: none was printed.
        assert "password" not in result.stdout

    bad = tmp_path / "bad.yaml"
    bad.write_text("domain: ''\n")
    result = salon("serve", "--config", str(bad), cwd=tmp_path)
    assert result.returncode != 0 and "bad configuration" in result.stderr

    result = salon("serve", "--config", str(tmp_path / "missing.yaml"), cwd=tmp_path)
    assert result.returncode != 0 and "does not exist" in result.stderr

    result = salon("serve", "--component", "no-secret", cwd=tmp_path)
    assert result.returncode != 0 and "DOMAIN=SECRET" in result.stderr

    result = salon("serve", "--domain", "not a domain", cwd=tmp_path)
    assert result.returncode != 0 and "not a valid XMPP domain" in result.stderr


def test_yaml_file_and_environment_configure_the_server(tmp_path):
    c2s, env_port = free_port(), free_port()
    config = tmp_path / "salon.yaml"
    config.write_text(f"domain: chat.example\nports:\n  c2s: {c2s}\n  tls: -1\n  component: -1\nhttp:\n  port: -1\n")
    process = subprocess.Popen([str(salon_binary()), "serve", "--config", str(config)], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for_port(c2s, process)
        assert (tmp_path / "Certs" / "chat.example.crt").exists()
    finally:
        process.terminate()
        process.wait(timeout=20)
    # SALON_PORTS_C2S overrides the file.
    process = subprocess.Popen([str(salon_binary()), "serve", "--config", str(config)], cwd=tmp_path,
                               env={**os.environ, "SALON_PORTS_C2S": str(env_port)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for_port(env_port, process)
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_only_serve_and_init_create_a_database(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    refused = salon("user", "add", "bob", "--password", "x", cwd=elsewhere)
    assert refused.returncode != 0
    assert f"no Salon database at {elsewhere}/data/salon.sqlite" in refused.stderr
    assert not (elsewhere / "data").exists()
    listed = salon("room", "list", "--data-dir", "nowhere", cwd=elsewhere)
    assert listed.returncode != 0 and f"{elsewhere}/nowhere/salon.sqlite" in listed.stderr

    created = salon("init", cwd=elsewhere)
    assert created.returncode == 0 and f"created the database in {elsewhere}/data" in created.stdout
    assert salon("user", "add", "bob", "--password", "x", cwd=elsewhere).returncode == 0
    again = salon("init", cwd=elsewhere)
    assert again.returncode == 0 and "already exists" in again.stdout


def test_a_second_serve_on_one_data_directory_is_refused(tmp_path):
    c2s = free_port()
    process = subprocess.Popen(
        [str(salon_binary()), "serve", "--c2s-port", str(c2s), "--tls-port", "-1", "--component-port", "-1", "--http-port", "-1"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for_port(c2s, process)
        second = salon("serve", "--c2s-port", str(free_port()), "--tls-port", "-1", "--component-port", "-1", "--http-port", "-1", cwd=tmp_path)
        assert second.returncode != 0
        assert f"another salon serve is already running on the data directory {tmp_path}/data" in second.stderr
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_mistyped_subcommand_is_named(tmp_path):
    typo = salon("room", "creat", "Foo", "--category", "General", cwd=tmp_path)
    assert typo.returncode != 0
    assert "Unknown subcommand 'creat' for 'salon room' (did you mean 'create'?)" in typo.stderr
    assert "--category" not in typo.stderr
    top = salon("roon", "list", cwd=tmp_path)
    assert top.returncode != 0 and "Unknown subcommand 'roon' for 'salon'" in top.stderr
    assert salon("room", "--help", cwd=tmp_path).returncode == 0
    assert salon("help", "room", cwd=tmp_path).returncode == 0


def test_a_bare_member_name_is_a_user_of_the_servers_domain(tmp_path):
    data = ["--data-dir", str(tmp_path / "data")]
    assert salon("init", *data, cwd=tmp_path).returncode == 0
    allow = ["--allow", "domain:localhost", "--allow", "domain:partner.example", "--allow", "old.example"]
    assert salon("category", "create", "Eng", *allow, *data, cwd=tmp_path).returncode == 0
    created = salon("room", "create", "Design", "--category", "Eng", "--member", "bob",
                    "--member", "domain:partner.example", "--member", "old.example", *data, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    shown = salon("room", "show", "Design", *data, cwd=tmp_path).stdout
    assert "bob@localhost" in shown and "partner.example" in shown and "old.example" in shown
    listed = salon("room", "list", "--member", "bob", *data, cwd=tmp_path)
    assert listed.stdout.startswith("Design\t"), listed.stderr
