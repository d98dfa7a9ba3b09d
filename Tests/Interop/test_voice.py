"""Real-client tests of voice in an auditorium: a visitor asks for voice (xep_0045 request_voice),
the manager receives the §7.13 form and grants voice with set_role, which makes a presenter."""
import asyncio
import time

import pytest
from slixmpp import JID

from conftest import DOMAIN
from test_rooms import CHAT, cli, muc_client
from test_slixmpp_clients import TIMEOUT, offline, run

ROOM = JID(f"stage@{CHAT}")
REQUEST = "http://jabber.org/protocol/muc#request"


@pytest.fixture(scope="module")
def stage(salon):
    for name in ("vic", "wes"):
        salon.user(name, f"pw-{name}")
    cli(salon, "category", "create", "Stage", "--allow", DOMAIN)
    cli(salon, "room", "create", "Main Stage", "--category", "Stage", "--jid", "stage", "--privacy", "open",
        "--type", "auditorium", "--presenter", f"vic@{DOMAIN}", "--manager", f"vic@{DOMAIN}")
    # The running server picks up CLI changes within a second.
    time.sleep(1.5)
    return salon


def test_voice_request_and_grant(stage):
    async def scenario():
        loop = asyncio.get_running_loop()
        vic = await muc_client(stage, "vic")
        wes = await muc_client(stage, "wes")
        await vic.plugin["xep_0045"].join_muc_wait(ROOM, "Vic", maxstanzas=0, timeout=TIMEOUT)
        presence, *_ = await wes.plugin["xep_0045"].join_muc_wait(ROOM, "Wes", maxstanzas=0, timeout=TIMEOUT)
        assert presence["muc"]["role"] == "visitor"

        asked = loop.create_future()
        vic.add_event_handler("message_xform", lambda msg: msg["form"]["type"] == "form" and not asked.done() and asked.set_result(msg["form"]))
        wes.plugin["xep_0045"].request_voice(ROOM, "participant")
        form = await asyncio.wait_for(asked, TIMEOUT)
        fields = form.get_fields()
        assert form.get_values()["FORM_TYPE"] in (REQUEST, [REQUEST])
        assert fields["muc#roomnick"]["value"] == "Wes"

        voiced = loop.create_future()
        wes.add_event_handler("muc::%s::presence" % ROOM,
                              lambda p: p["muc"]["nick"] == "Wes" and p["muc"]["role"] == "participant"
                              and not voiced.done() and voiced.set_result(p))
        await vic.plugin["xep_0045"].set_role(ROOM, "Wes", "participant", timeout=TIMEOUT)
        await asyncio.wait_for(voiced, TIMEOUT)
        assert "presenter" in cli(stage, "room", "show", "Main Stage").lower()
        assert f"wes@{DOMAIN}" in cli(stage, "room", "show", "Main Stage")
        await offline(vic, wes)

    run(scenario())
