"""Real-client tests of creating a room by joining it (XEP-0045 §10.1) with slixmpp: the
creator gets status 201, accepts the instant room or fills in the reserved room's form with
the standard muc#roomconfig fields, stays in the room, posts and hears it, leaves and comes
back; an administrator does the same; the server logs each creation; a later change of the
configuration reaches the occupants as status 104."""
import asyncio
import time

import pytest
from slixmpp.plugins.xep_0004 import Form
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

from conftest import DOMAIN
from test_rooms import CHAT, cli, muc_client
from test_slixmpp_clients import TIMEOUT, offline, run

CATEGORY = "Atelier"


@pytest.fixture(scope="module")
def atelier(salon):
    for name in ("cora", "adam"):
        salon.user(name, f"pw-{name}")
    cli(salon, "category", "create", CATEGORY, "--allow", DOMAIN, "--creator", f"cora@{DOMAIN}")
    cli(salon, "admin", "add", f"adam@{DOMAIN}")
    # The running server picks up CLI changes within a second.
    time.sleep(1.5)
    return salon


def watch_ejection(xmpp, room):
    """A list that collects any unavailable presence the room sends us."""
    ejected = []
    xmpp.add_event_handler(f"muc::{room}::got_offline", ejected.append)
    return ejected


async def post_and_hear(xmpp, room, body):
    heard = asyncio.get_running_loop().create_future()

    def on_message(msg):
        if msg["body"] == body and not heard.done():
            heard.set_result(msg)

    xmpp.add_event_handler(f"muc::{room}::message", on_message)
    xmpp.send_message(mto=room, mbody=body, mtype="groupchat")
    await asyncio.wait_for(heard, TIMEOUT)
    xmpp.del_event_handler(f"muc::{room}::message", on_message)


async def create(xmpp, room, nick):
    presence, *_ = await xmpp.plugin["xep_0045"].join_muc_wait(room, nick, maxstanzas=0, timeout=TIMEOUT)
    assert 201 in presence["muc"]["status_codes"]
    assert presence["muc"]["affiliation"] == "owner"


async def leave_and_rejoin(xmpp, room, nick):
    left = asyncio.get_running_loop().create_future()
    # leave_muc forgets the room at once, so its own events stop: watch the raw presence.
    xmpp.add_event_handler("groupchat_presence", lambda p: p["type"] == "unavailable" and p["from"].bare == room
                           and not left.done() and left.set_result(p))
    xmpp.plugin["xep_0045"].leave_muc(room, nick)
    await asyncio.wait_for(left, TIMEOUT)
    presence, *_ = await xmpp.plugin["xep_0045"].join_muc_wait(room, nick, maxstanzas=0, timeout=TIMEOUT)
    assert 201 not in presence["muc"]["status_codes"]
    assert presence["muc"]["affiliation"] == "owner"


def logged_creation(salon, account, room):
    # The log is written as events happen; give the file a moment to catch up.
    for _ in range(50):
        for line in salon.output.read_text().splitlines():
            if "room created by join" in line and f"account={account}" in line and f"room={room}" in line:
                return line
        time.sleep(0.1)
    return None


def test_creator_accepts_the_instant_room(atelier):
    room = f"sketch@{CHAT}"

    async def scenario():
        cora = await muc_client(atelier, "cora")
        await create(cora, room, "Cora")
        ejected = watch_ejection(cora, room)
        # XEP-0045 §10.1.2: an empty submitted form accepts the defaults.
        await cora.plugin["xep_0045"].set_room_config(room, Form())
        await post_and_hear(cora, room, "first sketch")
        assert ejected == []
        await leave_and_rejoin(cora, room, "Cora")
        await post_and_hear(cora, room, "second sketch")
        await offline(cora)

    run(scenario())
    line = logged_creation(atelier, f"cora@{DOMAIN}", "sketch")
    assert line is not None and f"category={CATEGORY}" in line


@pytest.mark.parametrize("name", ["cora", "adam"])
def test_reserved_room_with_standard_fields(atelier, name):
    room = f"plan-{name}@{CHAT}"

    async def scenario():
        xmpp = await muc_client(atelier, name)
        await create(xmpp, room, name.capitalize())
        ejected = watch_ejection(xmpp, room)
        form = await xmpp.plugin["xep_0045"].get_room_config(room)
        fields = form.get_fields()
        for var in ("muc#roomconfig_roomname", "muc#roomconfig_membersonly", "muc#roomconfig_publicroom",
                    "muc#roomconfig_moderatedroom", "muc#roomconfig_persistentroom", "muc#roomconfig_whois"):
            assert var in fields, var
        assert all(option["value"] for field in fields.values() for option in field.get_options())
        # Sent back whole, as clients do, with the standard fields changed.
        fields["muc#roomconfig_roomname"]["value"] = f"Plans of {name}"
        fields["muc#roomconfig_membersonly"]["value"] = True
        fields["muc#roomconfig_publicroom"]["value"] = False
        fields["muc#roomconfig_moderatedroom"]["value"] = False
        # An administrator may create in every category, so names one.
        fields["urn:salon:persistent-chat#category"]["value"] = CATEGORY
        await xmpp.plugin["xep_0045"].set_room_config(room, form)
        await post_and_hear(xmpp, room, "the plan")
        assert ejected == []
        await leave_and_rejoin(xmpp, room, name.capitalize())
        await post_and_hear(xmpp, room, "still here")
        await offline(xmpp)

    run(scenario())
    assert logged_creation(atelier, f"{name}@{DOMAIN}", f"plan-{name}") is not None
    shown = cli(atelier, "room", "show", f"Plans of {name}")
    assert "secret" in shown.lower(), shown


def test_reconfiguration_sends_status_104(atelier):
    room = f"mural@{CHAT}"
    muc_user = "{http://jabber.org/protocol/muc#user}"

    async def scenario():
        cora = await muc_client(atelier, "cora")
        await create(cora, room, "Cora")
        form = await cora.plugin["xep_0045"].get_room_config(room)
        form.get_fields()["muc#roomconfig_membersonly"]["value"] = False
        await cora.plugin["xep_0045"].set_room_config(room, form)
        adam = await muc_client(atelier, "adam")
        await adam.plugin["xep_0045"].join_muc_wait(room, "Adam", maxstanzas=0, timeout=TIMEOUT)
        notices = []
        # A raw handler: slixmpp raises no event for a room message without a body.
        adam.register_handler(Callback("room statuses", MatchXPath(f"{{jabber:client}}message/{muc_user}x"), lambda msg: notices.extend(
            status.get("code") for status in msg.xml.findall(f"{muc_user}x/{muc_user}status"))))
        # XEP-0045 §10.2.1: a changed configuration is announced to the occupants...
        form = await cora.plugin["xep_0045"].get_room_config(room)
        form.get_fields()["muc#roomconfig_roomname"]["value"] = "The Mural"
        await cora.plugin["xep_0045"].set_room_config(room, form)
        await post_and_hear(adam, room, "after the change")
        assert notices == ["104"]
        # ...and one submitted unchanged is not.
        form = await cora.plugin["xep_0045"].get_room_config(room)
        await cora.plugin["xep_0045"].set_room_config(room, form)
        await post_and_hear(adam, room, "after the same form")
        assert notices == ["104"]
        await offline(cora, adam)

    run(scenario())
