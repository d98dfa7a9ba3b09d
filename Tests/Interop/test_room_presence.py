"""Real-client tests of occupant presence: leaving through the bare room JID with a status text
(relayed with the leaver's JID), and a subject that joiners receive from the nick that set it."""
import asyncio
import time

import pytest
from slixmpp import JID

from conftest import DOMAIN
from test_rooms import CHAT, cli, muc_client
from test_slixmpp_clients import TIMEOUT, offline, run

ROOM = JID(f"porch@{CHAT}")


@pytest.fixture(scope="module")
def porch(salon):
    for name in ("pem", "quin"):
        salon.user(name, f"pw-{name}")
    cli(salon, "category", "create", "Porch", "--allow", DOMAIN)
    cli(salon, "room", "create", "Front Porch", "--category", "Porch", "--jid", "porch", "--privacy", "open",
        "--manager", f"pem@{DOMAIN}")
    # The running server picks up CLI changes within a second.
    time.sleep(1.5)
    return salon


def test_bare_jid_exit_status_and_subject_author(porch):
    async def scenario():
        loop = asyncio.get_running_loop()
        pem = await muc_client(porch, "pem")
        await pem.plugin["xep_0045"].join_muc_wait(ROOM, "Pem", maxstanzas=0, timeout=TIMEOUT)
        subject_seen = loop.create_future()
        pem.add_event_handler("groupchat_subject", lambda msg: subject_seen.done() or subject_seen.set_result(msg))
        pem.plugin["xep_0045"].set_subject(ROOM, "Porch rules")
        await asyncio.wait_for(subject_seen, TIMEOUT)

        quin = await muc_client(porch, "quin")
        _, subject, _, _ = await quin.plugin["xep_0045"].join_muc_wait(ROOM, "Quin", maxstanzas=0, timeout=TIMEOUT)
        assert subject["subject"] == "Porch rules"
        assert subject["from"] == JID(f"{ROOM}/Pem")

        left = loop.create_future()
        pem.add_event_handler("muc::%s::got_offline" % ROOM, lambda p: left.done() or left.set_result(p))
        quin.send_presence(pto=ROOM, ptype="unavailable", pstatus="Off to lunch")
        presence = await asyncio.wait_for(left, TIMEOUT)
        assert presence["from"] == JID(f"{ROOM}/Quin")
        assert presence["status"] == "Off to lunch"
        assert presence["muc"]["jid"] == quin.boundjid
        await offline(pem, quin)

    run(scenario())
