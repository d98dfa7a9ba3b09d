"""Real-client tests of room moderation: a room manager retracts a member's message with
slixmpp's xep_0425 (the member's client sees it, a plain member is refused), and bans a user
with xep_0045 (outcast list, refused rejoin)."""
import asyncio
import time

import pytest
from slixmpp import JID
from slixmpp.exceptions import IqError, PresenceError

from conftest import DOMAIN
from test_rooms import CHAT, cli, muc_client
from test_slixmpp_clients import TIMEOUT, offline, run

ROOM = JID(f"mixing@{CHAT}")


@pytest.fixture(scope="module")
def studio(salon):
    for name in ("mona", "ned", "oz"):
        salon.user(name, f"pw-{name}")
    cli(salon, "category", "create", "Recording", "--allow", DOMAIN)
    cli(salon, "room", "create", "Mixing Desk", "--category", "Recording", "--jid", "mixing", "--privacy", "closed",
        "--member", f"mona@{DOMAIN}", "--member", f"ned@{DOMAIN}", "--member", f"oz@{DOMAIN}", "--manager", f"mona@{DOMAIN}")
    # The running server picks up CLI changes within a second.
    time.sleep(1.5)
    return salon


def test_manager_moderates_a_message(studio):
    async def scenario():
        loop = asyncio.get_running_loop()
        mona = await muc_client(studio, "mona")
        ned = await muc_client(studio, "ned")
        for client in (mona, ned):
            client.register_plugin("xep_0425")
        await mona.plugin["xep_0045"].join_muc_wait(ROOM, "Mona", maxstanzas=0, timeout=TIMEOUT)
        await ned.plugin["xep_0045"].join_muc_wait(ROOM, "Ned", maxstanzas=0, timeout=TIMEOUT)

        heard = loop.create_future()
        mona.add_event_handler("groupchat_message",
                               lambda msg: msg["body"] == "spam spam" and not heard.done() and heard.set_result(msg))
        moderated = loop.create_future()
        ned.add_event_handler("moderated_message", lambda msg: moderated.done() or moderated.set_result(msg))
        ned.send_message(mto=ROOM, mbody="spam spam", mtype="groupchat")
        message = await asyncio.wait_for(heard, TIMEOUT)
        stanza_id = message.xml.find("{urn:xmpp:sid:0}stanza-id").get("id")

        # A member is refused; the manager succeeds and the member's client sees the retraction.
        with pytest.raises(IqError) as refused:
            await ned.plugin["xep_0425"].moderate(ROOM, stanza_id, "mine", timeout=TIMEOUT)
        assert refused.value.iq["error"]["condition"] == "forbidden"
        await mona.plugin["xep_0425"].moderate(ROOM, stanza_id, "spam", timeout=TIMEOUT)
        notice = await asyncio.wait_for(moderated, TIMEOUT)
        assert notice["retract"]["id"] == stanza_id
        assert notice["retract"]["moderated"]["by"] == f"{ROOM}/Mona"
        await offline(mona, ned)

    run(scenario())


def test_manager_bans_a_user(studio):
    async def scenario():
        loop = asyncio.get_running_loop()
        mona = await muc_client(studio, "mona")
        oz = await muc_client(studio, "oz")
        await mona.plugin["xep_0045"].join_muc_wait(ROOM, "Mona", maxstanzas=0, timeout=TIMEOUT)
        await oz.plugin["xep_0045"].join_muc_wait(ROOM, "Oz", maxstanzas=0, timeout=TIMEOUT)
        removed = loop.create_future()
        oz.add_event_handler("muc::%s::got_offline" % ROOM, lambda p: removed.done() or removed.set_result(p))

        await mona.plugin["xep_0045"].set_affiliation(ROOM, "outcast", jid=f"oz@{DOMAIN}", reason="rude", timeout=TIMEOUT)
        presence = await asyncio.wait_for(removed, TIMEOUT)
        assert 301 in presence["muc"]["status_codes"]
        outcasts = await mona.plugin["xep_0045"].get_affiliation_list(ROOM, "outcast", timeout=TIMEOUT)
        assert JID(f"oz@{DOMAIN}") in outcasts
        with pytest.raises(PresenceError) as refused:
            await oz.plugin["xep_0045"].join_muc_wait(ROOM, "Oz", timeout=TIMEOUT)
        assert refused.value.presence["error"]["condition"] == "forbidden"
        await offline(mona, oz)

    run(scenario())
