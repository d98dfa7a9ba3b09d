"""Compliance recording with a real client: nothing anyone saw is missing from the journal
after SIGKILL; the exporter killed between writing its file and marking the events neither
loses nor duplicates them; `salon compliance verify` finds a row changed behind its back."""
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT, Salon
from test_archive import post, setup_room
from test_metrics import scrape, value
from test_rooms import CHAT, cli, muc_client
from test_slixmpp_clients import TIMEOUT, offline, run

SCHEMA = ROOT / "Schemas" / "salon-compliance.xsd"


def journal(server):
    with sqlite3.connect(server.workdir / "data" / "salon.sqlite") as db:
        return db.execute("SELECT seq, type, actor_bare, payload, exported_at FROM compliance_events ORDER BY seq").fetchall()


def salon_cli(server, *args, env=None):
    return subprocess.run([str(server.binary), *args, "--data-dir", str(server.workdir / "data")],
                          cwd=server.workdir, capture_output=True, text=True, timeout=60, env={**server.env, **(env or {})})


@pytest.mark.sqlite_only
def test_journal_survives_sigkill_and_exports_once(monkeypatch):
    monkeypatch.setenv("SALON_COMPLIANCE_ENABLED", "true")
    workdir = Path(tempfile.mkdtemp(prefix="salon-compliance-"))
    server = Salon(workdir)
    server.start()
    try:
        setup_room(server, "audited", ["cora"])
        room = f"audited@{CHAT}"
        bodies = [f"recorded {n}" for n in range(40)]

        async def write():
            cora = await muc_client(server, "cora")
            await cora.plugin["xep_0045"].join_muc_wait(room, "Cora", maxstanzas=0, timeout=TIMEOUT)
            await post(cora, room, bodies)

        run(write())
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)

        events = journal(server)
        # The setup's category and room, made with the command line, are journaled as "system".
        assert [e[1] for e in events if e[2] == "system"] == ["CATEGORY_CHANGED", "ROOM_CHANGED"]
        cora = [e for e in events if e[2] != "system"]
        assert [e[1] for e in cora] == ["JOIN"] + ["CHAT"] * len(bodies)
        assert all(e[2] == "cora@localhost" for e in cora)
        assert all(f">{body}</body>" in e[3] for e, body in zip(cora[1:], bodies))
        assert f"intact: {len(events)} events" in cli(server, "compliance", "verify")

        # The exporter dies at each step: its range stored, its file written under the temporary
        # name, its file renamed into place (events not yet marked). Nothing is marked, and at
        # most the one file of that export is there.
        output = workdir / "data" / "compliance"
        name = "salon-compliance-00000001.xml"
        for point in ["after-begin", "before-rename", "after-rename"]:
            crashed = salon_cli(server, "compliance", "export", "--now", env=dict(os.environ, SALON_COMPLIANCE_FAULT=point))
            assert crashed.returncode == -signal.SIGKILL, point
            assert all(e[4] is None for e in journal(server)), point
            assert [p.name for p in output.iterdir() if not p.name.startswith(".")] in ([], [name]), point
        first = (output / name).read_bytes()

        # The next run finishes that export: the same file again, the events marked once.
        done = cli(server, "compliance", "export", "--now")
        assert f"exported {len(events)} events in 1 files" in done
        assert sorted(p.name for p in output.iterdir()) == [name]
        assert (output / name).read_bytes() == first
        assert all(e[4] is not None for e in journal(server))
        assert "exported 0 events in 0 files" in cli(server, "compliance", "export", "--now")
        check = subprocess.run(["xmllint", "--noout", "--schema", str(SCHEMA), str(output / "salon-compliance-00000001.xml")],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.sqlite_only
def test_cli_settings_and_a_tampered_row():
    workdir = Path(tempfile.mkdtemp(prefix="salon-compliance-"))
    salon = Salon(workdir)
    salon.start()
    try:
        shown = cli(salon, "compliance", "show")
        assert "enabled: false" in shown and "run_interval: 900" in shown and "adapter: xml" in shown
        bad = salon_cli(salon, "compliance", "set", "run_interval", "30s")
        assert bad.returncode != 0 and "1 minute to 30 days" in bad.stderr
        assert "run_interval: 3600" in cli(salon, "compliance", "set", "run_interval", "1h")
        cli(salon, "compliance", "set", "enabled", "on")
        cli(salon, "compliance", "set", "enabled", "off")
        assert "intact: 3 events" in cli(salon, "compliance", "verify")
        with sqlite3.connect(workdir / "data" / "salon.sqlite") as db:
            db.execute("DROP TRIGGER compliance_events_no_update")
            db.execute("UPDATE compliance_events SET actor_bare = 'nobody' WHERE seq = 2")
        broken = salon_cli(salon, "compliance", "verify")
        assert broken.returncode == 2
        assert "broken at event 2: its content does not match its hash" in broken.stdout
    finally:
        salon.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.sqlite_only  # reads the journal inside salon.sqlite on both servers
def test_journal_moves_with_an_export_and_verifies_on_the_new_server(monkeypatch):
    monkeypatch.setenv("SALON_COMPLIANCE_ENABLED", "true")
    workdir = Path(tempfile.mkdtemp(prefix="salon-compliance-"))
    server = Salon(workdir)
    server.start()
    try:
        setup_room(server, "moving", ["mona"])
        room = f"moving@{CHAT}"

        async def write():
            mona = await muc_client(server, "mona")
            await mona.plugin["xep_0045"].join_muc_wait(room, "Mona", maxstanzas=0, timeout=TIMEOUT)
            await post(mona, room, ["before the move", "<b>still</b> & recorded"])

        run(write())
        events = journal(server)
        assert [e[1] for e in events][-3:] == ["JOIN", "CHAT", "CHAT"]
        # Nothing exported yet (the exporter's first run is an interval away): all of it waits.
        samples = scrape(server)
        assert value(samples, "salon_compliance_events_pending") == len(events)
        assert ("salon_compliance_lag_seconds", frozenset()) in samples
        archive = workdir / "service.zip"
        exported = salon_cli(server, "export", str(archive))
        assert exported.returncode == 0, exported.stderr
        assert f"{len(events)} compliance events" in exported.stdout

        target = workdir / "new"
        target.mkdir()

        def on_target(*args):
            return subprocess.run([str(server.binary), *args, "--data-dir", str(target / "data")],
                                  cwd=target, capture_output=True, text=True, timeout=60)

        assert on_target("init").returncode == 0
        first = on_target("import", str(archive))
        assert first.returncode == 0, first.stderr
        assert f"{len(events)} compliance events (0 already here)" in first.stdout
        verified = on_target("compliance", "verify")
        assert verified.returncode == 0 and f"intact: {len(events)} events" in verified.stdout, verified.stdout
        again = on_target("import", str(archive))
        assert again.returncode == 0 and f"0 compliance events ({len(events)} already here)" in again.stdout, again.stdout
        with sqlite3.connect(target / "data" / "salon.sqlite") as db:
            moved = db.execute("SELECT seq, type, actor_bare, payload, exported_at FROM compliance_events ORDER BY seq").fetchall()
        assert moved == events
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
