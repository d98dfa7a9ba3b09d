"""Administration from a standard client: slixmpp's xep_0050 drives the persistent-chat
commands on the chat service (category → room → members, replace and clear) and XEP-0133 on
the server domain, as an administrator made with `salon admin add`."""
import asyncio
import time
from datetime import datetime, timedelta, timezone

import pytest
from slixmpp.exceptions import IqError

from conftest import DOMAIN
from test_rooms import CHAT, cli, muc_client
from test_slixmpp_clients import TIMEOUT, offline, run


async def admin_client(salon, name):
    xmpp = await muc_client(salon, name)
    for plugin in ("xep_0004", "xep_0050"):
        xmpp.register_plugin(plugin)
    return xmpp


async def command(xmpp, node, *stages, jid=CHAT):
    """Executes `node`, then submits one form per stage; returns the final <command/>."""
    adhoc = xmpp.plugin["xep_0050"]
    iq = await adhoc.send_command(jid, node, timeout=TIMEOUT)
    for index, values in enumerate(stages):
        assert iq["command"]["status"] == "executing", iq
        form = xmpp.plugin["xep_0004"].make_form(ftype="submit")
        for var, value in values.items():
            form.add_field(var=var, ftype="text-multi" if isinstance(value, list) else None, value=value)
        action = "complete" if index == len(stages) - 1 else "next"
        iq = await adhoc.send_command(jid, node, action=action, payload=form,
                                      sessionid=iq["command"]["sessionid"], timeout=TIMEOUT)
    return iq["command"]


def note(cmd):
    notes = cmd["notes"]
    return notes[0] if notes else (None, None)


@pytest.fixture(scope="module")
def admins(salon):
    for name in ("opal", "pia", "quinn"):
        salon.user(name, f"pw-{name}")
    cli(salon, "admin", "add", f"opal@{DOMAIN}")
    assert f"opal@{DOMAIN}\tchat" in cli(salon, "admin", "list")
    time.sleep(1.5)
    return salon


def test_category_room_members_workflow(admins):
    async def scenario():
        opal = await admin_client(admins, "opal")
        pia = await admin_client(admins, "pia")
        items = await opal.plugin["xep_0050"].get_commands(CHAT, timeout=TIMEOUT)
        nodes = {node for _, node, _ in items["disco_items"]["items"]}
        assert {"category-create", "room-create", "room-change", "message-remove"} <= nodes

        cmd = await command(opal, "category-create",
                            {"name": "Studio", "allowed": [DOMAIN], "creators": [f"pia@{DOMAIN}"], "invitations": "1"})
        assert note(cmd) == ("info", "Created category Studio."), cmd
        cmd = await command(opal, "room-create", {"name": "Sketches", "category": "Studio", "privacy": "closed",
                                                  "managers": [f"pia@{DOMAIN}"]})
        assert note(cmd) == ("info", f"Created room Sketches (sketches@{CHAT})."), cmd
        cmd = await command(opal, "room-change", {"room": "Sketches"},
                            {"members": [f"opal@{DOMAIN}", f"pia@{DOMAIN}", f"quinn@{DOMAIN}"]})
        assert note(cmd)[0] == "info", cmd
        shown = await command(pia, "room-show", {"room": "Sketches"})
        assert shown["form"].get_values()["members"] == f"opal@{DOMAIN}, pia@{DOMAIN}, quinn@{DOMAIN}"
        # A rule broken through the form comes back as the rule's own message.
        cmd = await command(opal, "room-change", {"room": "Sketches"}, {"members": ["eve@elsewhere.example"]})
        assert note(cmd)[0] == "error" and "scope" in note(cmd)[1], cmd
        # pia manages the room but is no administrator.
        with pytest.raises(IqError) as refused:
            await command(pia, "category-create", {"name": "Mine"})
        assert refused.value.condition == "forbidden"
        await offline(opal, pia)
    run(scenario())


def test_replace_and_clear(admins):
    async def scenario():
        opal = await admin_client(admins, "opal")
        room = f"sketches@{CHAT}"
        await opal.plugin["xep_0045"].join_muc_wait(room, "Opal", maxstanzas=0, timeout=TIMEOUT)
        for body in ("draft one", "the final cut"):
            echoed = asyncio.get_running_loop().create_future()
            opal.add_event_handler("groupchat_message", lambda m, f=echoed, b=body: m["body"] == b and not f.done() and f.set_result(m))
            opal.send_message(mto=room, mbody=body, mtype="groupchat")
            await asyncio.wait_for(echoed, TIMEOUT)
        cmd = await command(opal, "message-remove", {"room": "Sketches", "keywords": "draft", "action": "replace"})
        assert note(cmd) == ("info", "Replaced 1 messages in Sketches."), cmd
        until = (datetime.now(timezone.utc) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        cmd = await command(opal, "room-clear", {"room": "Sketches", "until": until})
        assert note(cmd) == ("info", "Deleted 2 messages from Sketches."), cmd
        await offline(opal)
    run(scenario())


def test_server_administration(admins):
    async def scenario():
        cli(admins, "admin", "add", f"opal@{DOMAIN}", "--role", "server")
        await asyncio.sleep(1.5)
        opal = await admin_client(admins, "opal")
        cmd = await command(opal, "http://jabber.org/protocol/admin#add-user",
                            {"accountjid": f"rhea@{DOMAIN}", "password": "pw-rhea", "password-verify": "pw-rhea"}, jid=DOMAIN)
        assert note(cmd) == ("info", f"Created rhea@{DOMAIN}."), cmd
        count = await command(opal, "http://jabber.org/protocol/admin#get-registered-users-num", jid=DOMAIN)
        assert int(count["form"].get_values()["registeredusersnum"]) >= 5
        rhea = await admin_client(admins, "rhea")
        await offline(opal, rhea)
    run(scenario())


def test_ping_command_for_everyone(admins):
    async def scenario():
        quinn = await admin_client(admins, "quinn")
        items = await quinn.plugin["xep_0050"].get_commands(DOMAIN, timeout=TIMEOUT)
        assert [item[1] for item in items["disco_items"]["items"]] == ["ping"]
        cmd = await command(quinn, "ping", jid=DOMAIN)
        assert cmd["status"] == "completed"
        kind, text = note(cmd)
        assert kind == "info" and text.startswith("Pong\n"), cmd
        await offline(quinn)
    run(scenario())
