"""Real-client tests of persistent-chat rooms: rooms set up with the salon CLI while the
server runs, then used by slixmpp (xep_0045, xep_0249): join with history, auditorium
refusal, a Secret room invisible to non-members, an invitation delivered at login."""
import asyncio
import subprocess
import time

import pytest
from slixmpp import ClientXMPP
from slixmpp.exceptions import IqError, PresenceError

from conftest import DOMAIN
from test_slixmpp_clients import TIMEOUT, insecure, offline, run

CHAT = f"chat.{DOMAIN}"


def cli(salon, *args):
    result = subprocess.run([str(salon.binary), *args, "--data-dir", str(salon.workdir / "data")],
                            cwd=salon.workdir, capture_output=True, text=True, timeout=60, env=salon.env)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def muc_client(salon, name):
    xmpp = ClientXMPP(f"{name}@{DOMAIN}/rooms", f"pw-{name}")
    insecure(xmpp)
    xmpp.enable_direct_tls = False
    for plugin in ("xep_0030", "xep_0045", "xep_0249", "xep_0199"):
        xmpp.register_plugin(plugin)
    started = asyncio.get_running_loop().create_future()
    xmpp.add_event_handler("session_start", lambda _: started.done() or started.set_result(True))
    xmpp.connect("127.0.0.1", salon.c2s)
    await asyncio.wait_for(started, TIMEOUT)
    return xmpp


@pytest.fixture(scope="module")
def rooms(salon):
    for name in ("rita", "sam", "tom", "uma"):
        salon.user(name, f"pw-{name}")
    cli(salon, "category", "create", "Research", "--allow", DOMAIN, "--deny", f"uma@{DOMAIN}",
        "--creator", f"rita@{DOMAIN}", "--invitations")
    cli(salon, "room", "create", "Lab Notes", "--category", "Research", "--jid", "lab", "--privacy", "closed",
        "--member", f"rita@{DOMAIN}", "--member", f"sam@{DOMAIN}", "--manager", f"rita@{DOMAIN}")
    cli(salon, "room", "create", "Town Hall", "--category", "Research", "--jid", "townhall", "--privacy", "open",
        "--type", "auditorium", "--presenter", f"rita@{DOMAIN}", "--manager", f"rita@{DOMAIN}")
    cli(salon, "room", "create", "Skunkworks", "--category", "Research", "--jid", "skunk", "--privacy", "secret",
        "--member", f"rita@{DOMAIN}")
    # The running server picks up CLI changes within a second.
    time.sleep(1.5)
    return salon


def test_join_with_history(rooms):
    async def scenario():
        rita = await muc_client(rooms, "rita")
        await rita.plugin["xep_0045"].join_muc_wait(f"lab@{CHAT}", "Rita", maxstanzas=0, timeout=TIMEOUT)
        for n in range(3):
            rita.send_message(mto=f"lab@{CHAT}", mbody=f"note {n}", mtype="groupchat")
        await asyncio.sleep(0.5)
        sam = await muc_client(rooms, "sam")
        presence, subject, occupants, history = await sam.plugin["xep_0045"].join_muc_wait(
            f"lab@{CHAT}", "Sam", maxstanzas=2, timeout=TIMEOUT)
        assert 110 in presence["muc"]["status_codes"]
        assert [m["body"] for m in history] == ["note 1", "note 2"]
        await offline(rita, sam)

    run(scenario())


def test_auditorium_refuses_non_presenters(rooms):
    async def scenario():
        tom = await muc_client(rooms, "tom")
        presence, *_ = await tom.plugin["xep_0045"].join_muc_wait(f"townhall@{CHAT}", "Tom", maxstanzas=0, timeout=TIMEOUT)
        assert presence["muc"]["role"] == "visitor"
        refused = asyncio.get_running_loop().create_future()
        tom.add_event_handler("message_error", lambda msg: refused.done() or refused.set_result(msg))
        tom.send_message(mto=f"townhall@{CHAT}", mbody="question!", mtype="groupchat")
        error = await asyncio.wait_for(refused, TIMEOUT)
        assert error["error"]["condition"] == "forbidden"
        await offline(tom)

    run(scenario())


def test_secret_room_is_invisible_to_non_members(rooms):
    async def scenario():
        tom = await muc_client(rooms, "tom")
        items = await tom.plugin["xep_0030"].get_items(jid=CHAT, timeout=TIMEOUT)
        listed = {item[0] for item in items["disco_items"]["items"]}
        assert f"lab@{CHAT}" in listed and f"townhall@{CHAT}" in listed
        assert f"skunk@{CHAT}" not in listed
        with pytest.raises(IqError) as info:
            await tom.plugin["xep_0030"].get_info(jid=f"skunk@{CHAT}", timeout=TIMEOUT)
        assert info.value.iq["error"]["condition"] == "item-not-found"
        with pytest.raises(PresenceError) as joined:
            await tom.plugin["xep_0045"].join_muc_wait(f"skunk@{CHAT}", "Tom", timeout=TIMEOUT)
        assert joined.value.presence["error"]["condition"] == "item-not-found"
        await offline(tom)

    run(scenario())


def test_invitation_delivered_at_login(rooms):
    # tom becomes a member while offline; the invitation waits for his next login.
    cli(rooms, "room", "set", "Lab Notes", "--member", f"tom@{DOMAIN}")

    async def scenario():
        loop = asyncio.get_running_loop()
        invited = loop.create_future()
        xmpp = ClientXMPP(f"tom@{DOMAIN}/rooms", "pw-tom")
        insecure(xmpp)
        xmpp.enable_direct_tls = False
        for plugin in ("xep_0030", "xep_0045", "xep_0249"):
            xmpp.register_plugin(plugin)
        xmpp.add_event_handler("groupchat_direct_invite", lambda msg: invited.done() or invited.set_result(msg))
        xmpp.add_event_handler("session_start", lambda _: xmpp.send_presence())
        # The CLI change reaches the running server within a second.
        await asyncio.sleep(1.5)
        xmpp.connect("127.0.0.1", rooms.c2s)
        invitation = await asyncio.wait_for(invited, TIMEOUT)
        assert invitation["groupchat_invite"]["jid"] == f"lab@{CHAT}"
        await offline(xmpp)

    run(scenario())


def test_denied_user_cannot_join(rooms):
    async def scenario():
        uma = await muc_client(rooms, "uma")
        with pytest.raises(PresenceError):
            await uma.plugin["xep_0045"].join_muc_wait(f"townhall@{CHAT}", "Uma", timeout=TIMEOUT)
        await offline(uma)

    run(scenario())
