"""Service export and import with the command line, and migration from Debian's Prosody and
ejabberd: their own tools (prosody-migrator, ejabberdctl export_piefxis_host) write XEP-0227
files, `salon import` reads them, and slixmpp logs in with the passwords the users had there."""
import asyncio
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from slixmpp import ClientXMPP

from conftest import DOMAIN, salon_binary
from test_slixmpp_clients import TIMEOUT, insecure, offline, run


def salon_cli(salon, *args):
    # The server's environment: on the PostgreSQL pass, its schema.
    return subprocess.run([str(salon_binary()), *args, "--data-dir", str(salon.workdir / "data")],
                          cwd=salon.workdir, capture_output=True, text=True, timeout=120, env=salon.env)


def prosody_quiet(output):
    """prosodyctl's own lines, without its notice about an optional DNS library."""
    return "\n".join(line for line in output.splitlines()
                     if line.strip() and not line.startswith("*") and "unbound" not in line.lower())


def prosody_file_name(name):
    """Prosody's datamanager encodes every character but letters and digits as %xx."""
    return "".join(c if c.isascii() and c.isalnum() else f"%{ord(c):02x}" for c in name)


def prosody_xep0227_export(users, roster):
    """Registers `users` on a throwaway Prosody data directory (prosodyctl), adds `roster`
    (Prosody's roster storage format: prosodyctl cannot add contacts), and runs Debian's
    prosody-migrator into its xep0227 storage. Returns the directory of XEP-0227 files (the
    caller removes its parent)."""
    # Prosody drops root for its own user, which must read this directory (pytest's is private).
    tmp_path = Path(tempfile.mkdtemp(prefix="salon-prosody-"))
    os.chmod(tmp_path, 0o755)
    data, out = tmp_path / "prosody-data", tmp_path / "prosody-xep0227"
    host = prosody_file_name(DOMAIN)
    for store in ("accounts", "roster"):
        (data / host / store).mkdir(parents=True)
    out.mkdir()
    # prosodyctl and the migrator drop root for the prosody user.
    for directory in [data, data / host, data / host / "accounts", data / host / "roster", out]:
        os.chmod(directory, 0o777)
    config = tmp_path / "prosody.cfg.lua"
    config.write_text(f'data_path = "{data}"\npidfile = "{tmp_path}/prosody.pid"\n'
                      f'authentication = "internal_hashed"\nstorage = "internal"\nVirtualHost "{DOMAIN}"\n')
    for name, password in users.items():
        result = subprocess.run(["prosodyctl", "--config", str(config), "register", name, DOMAIN, password],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, prosody_quiet(result.stdout + result.stderr)
    for owner, contacts in roster.items():
        items = "".join(f'\t["{jid}"] = {{ ["subscription"] = "{sub}"; ["name"] = "{name}"; ["groups"] = {{ ["{group}"] = true; }}; }};\n'
                        for jid, name, sub, group in contacts)
        path = data / host / "roster" / f"{prosody_file_name(owner)}.dat"
        path.write_text('return {\n\t[false] = { ["version"] = 1; ["pending"] = {}; };\n' + items + "};\n")
        os.chmod(path, 0o666)
    migrator_config = tmp_path / "migrator.cfg.lua"
    migrator_config.write_text(f'input {{ hosts = {{ ["{DOMAIN}"] = {{ "accounts", "roster" }} }}; type = "internal"; path = "{data}"; }}\n'
                               f'output {{ type = "xep0227"; path = "{out}"; }}\n')
    # The xep0227 store writes into Prosody's data path, which Debian's prosody-migrator fixes
    # at /var/lib/prosody; the same script runs with it pointed at the temporary directory.
    migrator = tmp_path / "prosody-migrator"
    source = Path("/usr/bin/prosody-migrator").read_text()
    migrator.write_text(source.replace("CFG_DATADIR='/var/lib/prosody';", f"CFG_DATADIR='{out}';"))
    result = subprocess.run(["lua5.4", str(migrator), "--config", str(migrator_config)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "Done!" in result.stderr, prosody_quiet(result.stdout + result.stderr)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{name}@{DOMAIN}.xml" for name in users)
    return out


def ejabberd_xep0227_export(users, roster):
    """Starts Debian's ejabberd on a throwaway node, spool and configuration (no listeners),
    registers `users`, adds `roster` with ejabberdctl, and runs `export_piefxis_host`. Returns
    the directory it wrote (the caller removes its parent)."""
    base = Path(tempfile.mkdtemp(prefix="salon-ejabberd-"))
    for name in ("logs", "spool", "out"):
        (base / name).mkdir()
    # ejabberdctl drops root for the ejabberd user, which writes here.
    for directory in [base, base / "logs", base / "spool", base / "out"]:
        os.chmod(directory, 0o777)
    (base / "ejabberd.yml").write_text(f"hosts:\n  - {DOMAIN}\nauth_method: internal\nauth_password_format: scram\n"
                                       "default_db: mnesia\nlisten: []\nmodules:\n  mod_roster: {}\n")
    control = Path("/etc/ejabberd/ejabberdctl.cfg").read_text()
    (base / "ejabberdctl.cfg").write_text(control.replace("EJABBERD_PID_PATH=/run/ejabberd/ejabberd.pid",
                                                          f"EJABBERD_PID_PATH={base}/ejabberd.pid"))
    for name in ("ejabberd.yml", "ejabberdctl.cfg"):
        os.chmod(base / name, 0o644)
    ctl = ["ejabberdctl", "--config-dir", str(base), "--config", str(base / "ejabberd.yml"),
           "--ctl-config", str(base / "ejabberdctl.cfg"), "--logs", str(base / "logs"), "--spool", str(base / "spool"),
           "--node", f"salon-interop-{os.getpid()}@localhost"]

    def run_ctl(*args, timeout=120):
        result = subprocess.run(ctl + list(args), capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"ejabberdctl {args[0]}: {result.stdout}{result.stderr}"

    run_ctl("start")
    try:
        run_ctl("started")
        for name, password in users.items():
            run_ctl("register", name, DOMAIN, password)
        for owner, contacts in roster.items():
            for jid, name, subscription, group in contacts:
                user, host = jid.split("@")
                run_ctl("add_rosteritem", owner, DOMAIN, user, host, name, group, subscription)
        run_ctl("export_piefxis_host", str(base / "out"), DOMAIN)
    finally:
        subprocess.run(ctl + ["stop"], capture_output=True, timeout=120)
        subprocess.run(ctl + ["stopped"], capture_output=True, timeout=120)
    return base / "out"


@pytest.mark.skipif(shutil.which("ejabberdctl") is None, reason="Debian's ejabberd is not installed")
def test_users_migrated_from_ejabberd_log_in_with_their_passwords(salon):
    out = ejabberd_xep0227_export({"ejmig-alice": "alice on ejabberd", "ejmig-bob": "bob on ejabberd"},
                                  {"ejmig-alice": [(f"ejmig-bob@{DOMAIN}", "Bob", "both", "Friends")]})
    try:
        # A main file XIncluding one file per host, whose root is <host/>.
        assert len(list(out.glob("*.xml"))) == 2
        result = salon_cli(salon, "import", str(out))
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("added 2 accounts (0 already here), 1 roster items"), result.stdout
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)

    async def scenario():
        # ejabberd keeps SCRAM-SHA-1 keys by default, as Prosody does.
        alice = await login(salon, f"ejmig-alice@{DOMAIN}", "alice on ejabberd", "SCRAM-SHA-1")
        await alice.get_roster()
        item = alice.client_roster[f"ejmig-bob@{DOMAIN}"]
        assert (item["name"], item["subscription"], item["groups"]) == ("Bob", "both", ["Friends"])
        bob = await login(salon, f"ejmig-bob@{DOMAIN}", "bob on ejabberd", "SCRAM-SHA-1")
        await offline(alice, bob)

    run(scenario())


async def login(salon, jid, password, mechanism=None):
    xmpp = ClientXMPP(f"{jid}/interop", password, sasl_mech=mechanism)
    insecure(xmpp)
    xmpp.enable_direct_tls = False
    xmpp.enable_plaintext = False
    started = asyncio.get_running_loop().create_future()
    xmpp.add_event_handler("session_start", lambda _: started.done() or started.set_result(True))
    xmpp.add_event_handler("failed_all_auth", lambda *_: started.done() or started.set_exception(RuntimeError("authentication failed")))
    xmpp.connect("127.0.0.1", salon.c2s)
    await asyncio.wait_for(started, TIMEOUT)
    return xmpp


@pytest.mark.skipif(shutil.which("prosodyctl") is None or shutil.which("lua5.4") is None, reason="Debian's prosody is not installed")
def test_users_migrated_from_prosody_log_in_with_their_passwords(salon):
    out = prosody_xep0227_export({"pmig-alice": "alice on prosody", "pmig-bob": "bob on prosody"},
                                 {"pmig-alice": [(f"pmig-bob@{DOMAIN}", "Bob", "both", "Friends")]})
    try:
        migrated_users_log_in(salon, out)
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


def migrated_users_log_in(salon, out):
    dry = salon_cli(salon, "import", str(out), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would add 2 accounts (0 already here), 1 roster items" in dry.stdout
    first = salon_cli(salon, "import", str(out))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("added 2 accounts (0 already here), 1 roster items")
    again = salon_cli(salon, "import", str(out))
    assert again.stdout.startswith("added 0 accounts (2 already here), 0 roster items"), again.stdout

    async def scenario():
        # Prosody keeps SCRAM-SHA-1 keys only: the client logs in with that mechanism.
        alice = await login(salon, f"pmig-alice@{DOMAIN}", "alice on prosody", "SCRAM-SHA-1")
        roster = await alice.get_roster()
        assert roster is not None
        item = alice.client_roster[f"pmig-bob@{DOMAIN}"]
        assert (item["name"], item["subscription"], item["groups"]) == ("Bob", "both", ["Friends"])
        bob = await login(salon, f"pmig-bob@{DOMAIN}", "bob on prosody", "SCRAM-SHA-1")
        await offline(alice, bob)
        with pytest.raises(RuntimeError):
            await login(salon, f"pmig-bob@{DOMAIN}", "not bob's password", "SCRAM-SHA-1")

    run(scenario())


def test_export_writes_a_readable_zip_and_import_refuses_a_tampered_one(salon, tmp_path):
    salon.user("transfer-carol", "pw-transfer-carol")
    archive = tmp_path / "service.zip"
    result = salon_cli(salon, "export", str(archive), "--level", "principals")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("exported ")
    with zipfile.ZipFile(archive) as zip_file:
        assert sorted(zip_file.namelist()) == ["manifest.json", "principals.json", "users.xml"]
        users = zip_file.read("users.xml").decode()
        assert "<user name='transfer-carol'>" in users and "urn:xmpp:pie:0#scram" in users
        assert "pw-transfer-carol" not in users
        members = {name: zip_file.read(name) for name in zip_file.namelist()}
    assert not list(tmp_path.glob(".service.zip*")), "no temporary file is left beside the export"

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as zip_file:
        for name, data in members.items():
            zip_file.writestr(name, data.replace(b"transfer-carol", b"transfer-darol") if name == "users.xml" else data)
    refused = salon_cli(salon, "import", str(tampered))
    assert refused.returncode != 0
    assert "member users.xml does not match its SHA-256 in the manifest" in refused.stderr

    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zip_file:
        zip_file.writestr("manifest.json", members["manifest.json"])
        zip_file.writestr("../../evil.txt", b"x")
    refused = salon_cli(salon, "import", str(evil))
    assert refused.returncode != 0 and "unexpected member '../../evil.txt'" in refused.stderr

    same = salon_cli(salon, "import", str(archive))
    assert same.returncode == 0, same.stderr
    assert "added 0 accounts" in same.stdout
