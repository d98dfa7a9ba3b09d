"""`salon storage migrate` as an operator runs it: a copy while `salon serve` runs on the SQLite
file, the server stopped, a second run that copies only what is new, every table verified, then
`salon serve` on PostgreSQL where a slixmpp client logs in, pages through the room's history and
reads back the vCard it set on SQLite."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import Salon, postgresql_environment
from test_archive import post, setup_room
from test_rooms import CHAT, muc_client
from test_slixmpp_clients import TIMEOUT, offline, run

CLUSTER = os.environ.get("SALON_TEST_POSTGRES_URL")


def migrate(server, url, *extra):
    return subprocess.run([str(server.binary), "storage", "migrate", "--to", "postgresql", url, *extra,
                           "--data-dir", str(server.workdir / "data")],
                          cwd=server.workdir, capture_output=True, text=True, timeout=120, env=server.env)


async def set_card(server):
    mia = await muc_client(server, "mia")
    mia.register_plugin("xep_0054")
    vcard = mia.plugin["xep_0054"].make_vcard()
    vcard["FN"] = "Mia Moved"
    vcard["NICKNAME"] = "mia"
    await mia.plugin["xep_0054"].publish_vcard(vcard, timeout=TIMEOUT)
    await offline(mia)


async def say(server, room, bodies):
    mia = await muc_client(server, "mia")
    await mia.plugin["xep_0045"].join_muc_wait(room, "Mia", maxstanzas=0, timeout=TIMEOUT)
    await post(mia, room, bodies)
    await offline(mia)


@pytest.mark.skipif(not CLUSTER, reason="SALON_TEST_POSTGRES_URL is not set (Scripts/test starts a cluster)")
def test_migrate_while_serving_then_once_more_and_serve_on_postgresql():
    workdir = Path(tempfile.mkdtemp(prefix="salon-migrate-"))
    source = Salon(workdir)
    source.env = {key: value for key, value in os.environ.items() if not key.startswith("SALON_STORAGE_")}
    target_env = postgresql_environment()
    url = target_env["SALON_STORAGE_POSTGRESQL_URL"]
    target = None
    source.start()
    try:
        setup_room(source, "moving", ["mia"])
        room = f"moving@{CHAT}"
        run(say(source, room, ["before the copy", "<b>still</b> & kept"]))
        run(set_card(source))

        first = migrate(source, url)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "room messages: 2 on both, sha256 " in first.stdout and "matches" in first.stdout, first.stdout
        assert "table vcards: 1 on both, sha256 " in first.stdout, first.stdout
        assert "not copied: account_messages_fts (" in first.stdout, first.stdout
        assert "verified: PostgreSQL holds what SQLite holds" in first.stdout

        run(say(source, room, ["after the copy"]))
        source.stop()
        second = migrate(source, url)
        assert second.returncode == 0, second.stdout + second.stderr
        # Only what is new is copied.
        assert "added 0 accounts (" in second.stdout and "1 messages (2 already here)" in second.stdout, second.stdout
        assert "room messages: 3 on both" in second.stdout, second.stdout
        assert "added table by table: nothing new" in second.stdout, second.stdout

        # Refusals: a malformed URL, and an installation already on PostgreSQL.
        bad = migrate(source, "mysql://salon@127.0.0.1/salon")
        assert bad.returncode != 0 and "postgresql://" in bad.stderr, bad.stderr
        already = Salon(workdir)
        already.env = {**os.environ, **target_env}
        refused = migrate(already, url)
        assert refused.returncode != 0 and "already on PostgreSQL" in refused.stderr, refused.stderr

        target = Salon(workdir)
        target.env = {**os.environ, **target_env}
        target.start()

        async def history():
            mia = await muc_client(target, "mia")
            mia.register_plugin("xep_0313")
            await mia.plugin["xep_0045"].join_muc_wait(room, "Mia", maxstanzas=0, timeout=TIMEOUT)
            bodies = []
            async for message in mia.plugin["xep_0313"].iterate(jid=room, rsm={"max": 2}):
                bodies.append(message["mam_result"]["forwarded"]["stanza"]["body"])
            assert bodies == ["before the copy", "<b>still</b> & kept", "after the copy"]
            mia.register_plugin("xep_0054")
            iq = await mia.plugin["xep_0054"].get_vcard(f"mia@{mia.boundjid.domain}", cached=False, timeout=TIMEOUT)
            assert iq["vcard_temp"]["FN"] == "Mia Moved"
            await offline(mia)

        run(history())
    finally:
        source.stop()
        if target:
            target.stop()
        shutil.rmtree(workdir, ignore_errors=True)
