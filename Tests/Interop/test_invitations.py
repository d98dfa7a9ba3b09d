"""Real-client tests of mediated invitations (xep_0045 invite): a member invites where
invitations are on, and a manager's invitation into a Closed room makes the invitee a member."""
import asyncio
import time

import pytest
from slixmpp import JID

from conftest import DOMAIN
from test_rooms import CHAT, cli, muc_client
from test_slixmpp_clients import TIMEOUT, offline, run

ROOM = JID(f"guild@{CHAT}")


@pytest.fixture(scope="module")
def guild(salon):
    for name in ("xena", "yara", "zed"):
        salon.user(name, f"pw-{name}")
    cli(salon, "category", "create", "Guilds", "--allow", DOMAIN, "--invitations")
    cli(salon, "room", "create", "Weavers Guild", "--category", "Guilds", "--jid", "guild", "--privacy", "closed",
        "--member", f"xena@{DOMAIN}", "--member", f"yara@{DOMAIN}", "--manager", f"yara@{DOMAIN}")
    # The running server picks up CLI changes within a second.
    time.sleep(1.5)
    return salon


def test_member_and_manager_invitations(guild):
    async def scenario():
        loop = asyncio.get_running_loop()
        xena = await muc_client(guild, "xena")
        yara = await muc_client(guild, "yara")
        zed = await muc_client(guild, "zed")
        invitations = asyncio.Queue()
        zed.add_event_handler("groupchat_invite", invitations.put_nowait)

        # zed sent no presence, so invitations go to his session's full JID.
        xena.plugin["xep_0045"].invite(ROOM, zed.boundjid.full, "come weave")
        invite = await asyncio.wait_for(invitations.get(), TIMEOUT)
        assert invite["muc"]["invite"]["from"] == JID(f"xena@{DOMAIN}")
        assert f"zed@{DOMAIN}" not in cli(guild, "room", "show", "Weavers Guild")

        yara.plugin["xep_0045"].invite(ROOM, zed.boundjid.full)
        invite = await asyncio.wait_for(invitations.get(), TIMEOUT)
        assert invite["muc"]["invite"]["from"] == JID(f"yara@{DOMAIN}")
        presence, *_ = await zed.plugin["xep_0045"].join_muc_wait(ROOM, "Zed", maxstanzas=0, timeout=TIMEOUT)
        assert presence["muc"]["affiliation"] == "member"
        await offline(xena, yara, zed)

    run(scenario())
