"""Real-client test of stream management with slixmpp's xep_0198 plugin: the client enables
resumption, its socket is killed while a room keeps talking, it reconnects and resumes, and it
has every message exactly once, without the room seeing it leave."""
import asyncio
import time

import pytest
from slixmpp import ClientXMPP, JID

from conftest import DOMAIN
from test_rooms import CHAT, cli, muc_client
from test_slixmpp_clients import TIMEOUT, insecure, offline, run

ROOM = JID(f"newsroom@{CHAT}")


@pytest.fixture(scope="module")
def newsroom(salon):
    for name in ("smreader", "smwriter"):
        salon.user(name, f"pw-{name}")
    cli(salon, "category", "create", "News", "--allow", DOMAIN)
    cli(salon, "room", "create", "Newsroom", "--category", "News", "--jid", "newsroom", "--privacy", "open")
    # The running server picks up CLI changes within a second.
    time.sleep(1.5)
    return salon


async def resumable_client(salon, name):
    xmpp = ClientXMPP(f"{name}@{DOMAIN}/phone", f"pw-{name}")
    insecure(xmpp)
    xmpp.enable_direct_tls = False
    for plugin in ("xep_0030", "xep_0045", "xep_0199", "xep_0198"):
        xmpp.register_plugin(plugin)
    loop = asyncio.get_running_loop()
    started, enabled = loop.create_future(), loop.create_future()
    xmpp.add_event_handler("session_start", lambda _: started.done() or started.set_result(True))
    xmpp.add_event_handler("sm_enabled", lambda e: enabled.done() or enabled.set_result(e))
    xmpp.connect("127.0.0.1", salon.c2s)
    await asyncio.wait_for(started, TIMEOUT)
    stanza = await asyncio.wait_for(enabled, TIMEOUT)
    assert stanza["resume"], "the server did not offer resumption"
    return xmpp


async def resume_while_talking(xmpp, port, talk):
    """Kills `xmpp`'s socket (no </stream>) while `talk()` runs, reconnects it to `port` and waits
    until it resumed its session there and `talk()` is done."""
    resumed = asyncio.get_running_loop().create_future()
    xmpp.add_event_handler("session_resumed", lambda _: resumed.done() or resumed.set_result(True))
    talking = asyncio.ensure_future(talk())
    await asyncio.sleep(0.3)
    xmpp.abort()
    await asyncio.sleep(0.3)
    xmpp.connect("127.0.0.1", port)
    await asyncio.wait_for(resumed, TIMEOUT)
    await talking


def test_resume_after_killed_socket_loses_and_repeats_nothing(newsroom):
    async def scenario():
        loop = asyncio.get_running_loop()
        reader = await resumable_client(newsroom, "smreader")
        sm = reader.plugin["xep_0198"]
        await reader.plugin["xep_0045"].join_muc_wait(ROOM, "Reader", maxstanzas=0, timeout=TIMEOUT)
        writer = await muc_client(newsroom, "smwriter")
        await writer.plugin["xep_0045"].join_muc_wait(ROOM, "Writer", maxstanzas=0, timeout=TIMEOUT)
        reader_left = []
        writer.add_event_handler("muc::%s::got_offline" % ROOM, reader_left.append)

        bodies = []
        done = loop.create_future()
        total = 60

        def heard(msg):
            if msg["mucnick"] == "Writer":
                bodies.append(msg["body"])
                if len(bodies) >= total and not done.done():
                    done.set_result(True)
        reader.add_event_handler("groupchat_message", heard)

        async def talk():
            for n in range(total):
                writer.send_message(mto=ROOM, mbody=f"news {n}", mtype="groupchat")
                await asyncio.sleep(0.02)

        await resume_while_talking(reader, newsroom.c2s, talk)
        await asyncio.wait_for(done, TIMEOUT)
        # Everything the room sent has arrived once the reader's own ping round trip is answered.
        await reader.plugin["xep_0030"].get_info(jid=ROOM.bare, timeout=TIMEOUT)
        assert bodies == [f"news {n}" for n in range(total)]
        assert sm.sm_id, "the session was not resumed"

        await writer.plugin["xep_0030"].get_info(jid=ROOM.bare, timeout=TIMEOUT)
        assert reader_left == [], "the room saw the resumed occupant leave"
        await offline(reader, writer)

    run(scenario())
