"""Issue #21's membership as an operator meets it: `cluster.*` refused where it cannot work,
naming the setting, and `salon cluster status` listing the nodes of a cluster on PostgreSQL —
a serving node live with its address, then left once it shut down cleanly."""
import os
import socket
import subprocess
import time

import pytest

from conftest import free_port, postgresql_environment, salon_binary

CLUSTER = os.environ.get("SALON_TEST_POSTGRES_URL")


def salon(*args, cwd, env=None, timeout=60):
    return subprocess.run([str(salon_binary()), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def serve_args(c2s):
    return ["serve", "--c2s-port", str(c2s), "--tls-port", "-1", "--component-port", "-1", "--http-port", "-1"]


def listening(port, process, deadline=60):
    end = time.monotonic() + deadline
    while time.monotonic() < end and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def test_cluster_status_on_sqlite_says_there_is_no_cluster(tmp_path):
    result = salon("cluster", "status", cwd=tmp_path)
    assert result.returncode != 0
    assert "there is no cluster on SQLite" in result.stderr, result.stderr
    assert not (tmp_path / "data").exists()


def test_cluster_mode_on_sqlite_is_refused_naming_the_setting(tmp_path):
    env = {"SALON_CLUSTER_ENABLED": "true", "SALON_CLUSTER_ADDRESS": "127.0.0.1:7400"}
    for args in (serve_args(free_port()), ["user", "list"], ["init"]):
        result = salon(*args, cwd=tmp_path, env=env)
        assert result.returncode != 0, result.stdout
        assert "cluster.enabled needs storage.backend: postgresql" in result.stderr, result.stderr
    assert not (tmp_path / "data").exists()


@pytest.mark.skipif(not CLUSTER, reason="SALON_TEST_POSTGRES_URL is not set (Scripts/test starts a cluster)")
def test_cluster_settings_are_checked_before_the_node_serves(tmp_path):
    env = {**postgresql_environment(), "SALON_CLUSTER_ENABLED": "true"}
    cases = [
        ({}, "cluster.enabled needs cluster.address"),
        ({"SALON_CLUSTER_ADDRESS": "127.0.0.1"}, "cluster.address '127.0.0.1' must be host:port"),
        ({"SALON_CLUSTER_ADDRESS": "127.0.0.1:7400", "SALON_CLUSTER_NODE_ID": "two words"}, "cluster.node_id 'two words' must be"),
        ({"SALON_CLUSTER_ADDRESS": "127.0.0.1:7400", "SALON_CLUSTER_DEAD_AFTER": "1"}, "cluster.dead_after must be at least 2"),
        ({"SALON_CLUSTER_ADDRESS": "127.0.0.1:7400", "SALON_CLUSTER_FORGET_AFTER": "30"}, "cluster.forget_after must be at least 60"),
        ({"SALON_CLUSTER_ADDRESS": "127.0.0.1:7400"}, "cluster.enabled needs cluster.secret_file"),
        ({"SALON_CLUSTER_ADDRESS": "127.0.0.1:7400", "SALON_CLUSTER_SECRET_FILE": str(tmp_path / "absent")},
         "cannot be read: it is missing"),
    ]
    for extra, message in cases:
        result = salon(*serve_args(free_port()), cwd=tmp_path, env={**env, **extra})
        assert result.returncode != 0, result.stdout
        assert message in result.stderr, result.stderr


@pytest.mark.skipif(not CLUSTER, reason="SALON_TEST_POSTGRES_URL is not set (Scripts/test starts a cluster)")
def test_cluster_status_shows_a_serving_node_live_then_left(tmp_path):
    secret = tmp_path / "cluster.secret"
    secret.write_text("status test secret\n")
    secret.chmod(0o600)
    address = f"127.0.0.1:{free_port()}"
    env = {**postgresql_environment(), "SALON_CLUSTER_ENABLED": "true", "SALON_CLUSTER_NODE_ID": "node-1",
           "SALON_CLUSTER_ADDRESS": address, "SALON_CLUSTER_SECRET_FILE": str(secret)}
    c2s = free_port()
    process = subprocess.Popen([str(salon_binary()), *serve_args(c2s)], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
    try:
        assert listening(c2s, process), process.stderr.read() if process.poll() is not None else "not listening"
        status = salon("cluster", "status", cwd=tmp_path, env=env)
        assert status.returncode == 0, status.stderr
        lines = status.stdout.splitlines()
        assert lines[0].split() == ["NODE", "ADDRESS", "HEARTBEAT", "STATE", "SESSIONS", "LEASES"]
        fields = lines[1].split()
        assert fields[:2] == ["node-1", address] and fields[-3:] == ["live", "0", "0"], lines
        assert lines[-1] == "1 live of 1 nodes; 0 sessions; 0 room leases"
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode == 0, process.stderr.read()
    after = salon("cluster", "status", cwd=tmp_path, env=env)
    assert after.returncode == 0, after.stderr
    assert after.stdout.splitlines()[1].split()[-3:] == ["left", "0", "0"], after.stdout
    assert after.stdout.splitlines()[-1] == "0 live of 1 nodes; 0 sessions; 0 room leases"
