"""Real-client archive tests: slixmpp's xep_0313 pages through a room's history and runs a
full-text query; and nothing acknowledged is lost when the server is killed with SIGKILL."""
import asyncio
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest
from slixmpp.xmlstream.handler import Collector
from slixmpp.xmlstream.matcher import MatchXPath

from conftest import DOMAIN, Salon
from test_rooms import CHAT, cli, muc_client
from test_slixmpp_clients import TIMEOUT, insecure, offline, run


def setup_room(salon, name, members):
    for member in members:
        salon.user(member, f"pw-{member}")
    cli(salon, "category", "create", f"Archive-{name}", "--allow", DOMAIN)
    cli(salon, "room", "create", f"Room {name}", "--category", f"Archive-{name}", "--jid", name, "--privacy", "open")
    time.sleep(1.5)


async def post(xmpp, room, bodies):
    """Posts and waits for every echo: each message is acknowledged by the room."""
    echoes = asyncio.Queue()
    xmpp.add_event_handler("groupchat_message", lambda msg: echoes.put_nowait(msg["body"]) if msg["body"] else None)
    for body in bodies:
        xmpp.send_message(mto=room, mbody=body, mtype="groupchat")
    received = [await asyncio.wait_for(echoes.get(), TIMEOUT) for _ in bodies]
    assert received == bodies


async def fulltext(xmpp, room, text):
    """A MAM query with {urn:xmpp:fulltext:0}fulltext; returns the bodies found."""
    iq = xmpp.make_iq_set(ito=room)
    iq["mam"]["queryid"] = iq["id"]
    form = iq["mam"]["form"]
    form["type"] = "submit"
    form.add_field(var="FORM_TYPE", ftype="hidden", value="urn:xmpp:mam:2")
    form.add_field(var="{urn:xmpp:fulltext:0}fulltext", value=text)
    collector = Collector(f"fulltext-{iq['id']}", MatchXPath("{jabber:client}message/{urn:xmpp:mam:2}result"))
    xmpp.register_handler(collector)
    await iq.send(timeout=TIMEOUT)
    return [msg["mam_result"]["forwarded"]["stanza"]["body"] for msg in collector.stop()
            if msg["mam_result"]["queryid"] == iq["id"]]


def test_slixmpp_pages_through_history_and_searches(salon):
    setup_room(salon, "archive", ["vera"])
    room = f"archive@{CHAT}"

    async def scenario():
        vera = await muc_client(salon, "vera")
        vera.register_plugin("xep_0313")
        await vera.plugin["xep_0045"].join_muc_wait(room, "Vera", maxstanzas=0, timeout=TIMEOUT)
        bodies = [f"entry {n} {'budget' if n % 5 == 0 else 'notes'}" for n in range(25)]
        await post(vera, room, bodies)
        paged = []
        async for message in vera.plugin["xep_0313"].iterate(jid=room, rsm={"max": 10}):
            paged.append(message["mam_result"]["forwarded"]["stanza"]["body"])
        assert paged == bodies
        assert await fulltext(vera, room, "budget") == [b for b in bodies if "budget" in b]
        await offline(vera)

    run(scenario())


@pytest.mark.both_backends
def test_acknowledged_messages_survive_sigkill():
    workdir = Path(tempfile.mkdtemp(prefix="salon-crash-"))
    server = Salon(workdir)
    server.start()
    try:
        setup_room(server, "crash", ["walt"])
        room = f"crash@{CHAT}"
        bodies = [f"durable {n}" for n in range(60)]

        async def write():
            walt = await muc_client(server, "walt")
            await walt.plugin["xep_0045"].join_muc_wait(room, "Walt", maxstanzas=0, timeout=TIMEOUT)
            await post(walt, room, bodies)

        run(write())
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        server.start()

        async def read():
            walt = await muc_client(server, "walt")
            walt.register_plugin("xep_0313")
            found = []
            async for message in walt.plugin["xep_0313"].iterate(jid=room, rsm={"max": 50}):
                found.append(message["mam_result"]["forwarded"]["stanza"]["body"])
            assert found == bodies
            await offline(walt)

        run(read())
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
