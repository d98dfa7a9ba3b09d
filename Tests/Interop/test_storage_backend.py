"""`storage.backend` as an operator meets it: SQLite by default; PostgreSQL named by
`storage.postgresql.url`, its mistakes named before anything is created, an unreachable
database refused within `storage.postgresql.startup_timeout`; a whole deployment on PostgreSQL
from `salon init` to a client's login, with nothing written to the data directory's SQLite."""
import os
import subprocess
from types import SimpleNamespace

import pytest

from conftest import free_port, postgresql_environment, salon_binary
from test_cli import salon, wait_for_port
from test_slixmpp_clients import offline, online, run

CLUSTER = os.environ.get("SALON_TEST_POSTGRES_URL")


def serve_args(c2s):
    return ["serve", "--c2s-port", str(c2s), "--tls-port", "-1", "--component-port", "-1", "--http-port", "-1"]


def test_postgresql_settings_are_checked_before_anything_is_created(tmp_path):
    config = tmp_path / "salon.yaml"
    config.write_text("storage:\n  backend: postgresql\n")
    cases = [
        ({}, "storage.backend: postgresql needs storage.postgresql.url"),
        ({"SALON_STORAGE_POSTGRESQL_URL": "mysql://salon@127.0.0.1/salon"}, "storage.postgresql.url must start with postgresql://"),
        ({"SALON_STORAGE_POSTGRESQL_URL": "postgresql://salon@127.0.0.1/salon?sslmode=require"},
         "sslmode must be disable or verify-full"),
        ({"SALON_STORAGE_POSTGRESQL_URL": "postgresql://salon:secret@127.0.0.1/salon",
          "SALON_STORAGE_POSTGRESQL_PASSWORD_FILE": str(tmp_path / "password")},
         "give the PostgreSQL password in the URL or in a file, not both"),
    ]
    (tmp_path / "password").write_text("secret\n")
    for env, message in cases:
        for args in (serve_args(free_port()), ["user", "list"], ["init"]):
            result = salon(*args, "--config", str(config), cwd=tmp_path, env=env)
            assert result.returncode != 0, result.stdout
            assert message in result.stderr, result.stderr
            assert "secret" not in result.stderr
    assert not (tmp_path / "data").exists()


def test_an_unreachable_database_is_named_and_nothing_waits_forever(tmp_path):
    env = {"SALON_STORAGE_BACKEND": "postgresql", "SALON_STORAGE_POSTGRESQL_URL": f"postgresql://salon:secret@127.0.0.1:{free_port()}/salon",
           "SALON_STORAGE_POSTGRESQL_STARTUP_TIMEOUT": "2"}
    for args in (["user", "list"], ["init"], serve_args(free_port())):
        result = salon(*args, cwd=tmp_path, env=env, timeout=30)
        assert result.returncode != 0, result.stdout
        assert "unavailable" in result.stderr and "postgresql://salon@127.0.0.1:" in result.stderr, result.stderr
        assert "secret" not in result.stderr
    assert not (tmp_path / "data" / "salon.sqlite").exists()


def test_an_unknown_backend_is_refused_and_sqlite_is_the_default(tmp_path):
    unknown = salon("user", "list", cwd=tmp_path, env={"SALON_STORAGE_BACKEND": "mongodb"})
    assert unknown.returncode != 0
    assert "storage.backend must be sqlite or postgresql, not 'mongodb'" in unknown.stderr
    data = ["--data-dir", str(tmp_path / "data")]
    assert salon("init", *data, cwd=tmp_path, env={"SALON_STORAGE_BACKEND": "sqlite"}).returncode == 0
    assert salon("user", "add", "ada", "--password", "pw", *data, cwd=tmp_path).returncode == 0
    assert salon("user", "list", *data, cwd=tmp_path).stdout.split() == ["ada@localhost"]


@pytest.mark.skipif(not CLUSTER, reason="SALON_TEST_POSTGRES_URL is not set (Scripts/test starts a cluster)")
def test_a_deployment_on_postgresql_from_init_to_a_login(tmp_path):
    env = postgresql_environment()
    init = salon("init", cwd=tmp_path, env=env)
    assert init.returncode == 0, init.stderr
    assert "Salon's tables in postgresql://salon@127.0.0.1:" in init.stdout and "are ready" in init.stdout
    assert salon("user", "add", "ada", "--password", "pw-ada", cwd=tmp_path, env=env).returncode == 0
    c2s = free_port()
    process = subprocess.Popen([str(salon_binary()), *serve_args(c2s)],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **env})
    try:
        assert wait_for_port(c2s, process), process.stderr.read() if process.poll() is not None else "not listening"
        banner = [process.stdout.readline() for _ in range(3)]
        assert banner[1].split()[-1] == "admin@localhost"

        async def login():
            await offline(await online(SimpleNamespace(c2s=c2s), "ada"))

        run(login())
        # The CLI sees the server's accounts: both are in PostgreSQL, none in a SQLite file.
        listed = salon("user", "list", cwd=tmp_path, env=env)
        assert listed.stdout.split() == ["ada@localhost", "admin@localhost"], listed.stderr
        assert not (tmp_path / "data" / "salon.sqlite").exists()
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert process.returncode == 0, process.stderr.read()

