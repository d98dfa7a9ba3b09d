"""`storage.backend` as an operator meets it while PostgreSQL serves only some stores: every
command refuses postgresql with a message naming what is missing, and creates nothing."""
from conftest import free_port
from test_cli import salon


def test_postgresql_is_refused_until_every_store_is_on_it(tmp_path):
    config = tmp_path / "salon.yaml"
    config.write_text("storage:\n  backend: postgresql\n")
    serve = ["serve", "--config", str(config), "--c2s-port", str(free_port()), "--tls-port", "-1",
             "--component-port", "-1", "--http-port", "-1"]
    for args in (serve, ["user", "list", "--config", str(config)], ["init", "--config", str(config)]):
        result = salon(*args, cwd=tmp_path)
        assert result.returncode != 0, result.stdout
        assert "storage.backend: postgresql is not supported yet" in result.stderr, result.stderr
        assert "still need SQLite" in result.stderr and "storage.backend: sqlite" in result.stderr
    assert not (tmp_path / "data").exists()


def test_an_unknown_backend_is_refused_and_sqlite_is_the_default(tmp_path):
    unknown = salon("user", "list", cwd=tmp_path, env={"SALON_STORAGE_BACKEND": "mongodb"})
    assert unknown.returncode != 0
    assert "storage.backend must be sqlite or postgresql, not 'mongodb'" in unknown.stderr
    data = ["--data-dir", str(tmp_path / "data")]
    assert salon("init", *data, cwd=tmp_path, env={"SALON_STORAGE_BACKEND": "sqlite"}).returncode == 0
    assert salon("user", "add", "ada", "--password", "pw", *data, cwd=tmp_path).returncode == 0
    assert salon("user", "list", *data, cwd=tmp_path).stdout.split() == ["ada@localhost"]
