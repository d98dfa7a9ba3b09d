"""Real-client tests of IQs to occupants: slixmpp's disco and version queries to room/nick
reach the other occupant's slixmpp client, which answers them through the room."""
import asyncio
import time

import pytest
from slixmpp import JID

from conftest import DOMAIN
from test_rooms import CHAT, cli, muc_client
from test_slixmpp_clients import TIMEOUT, offline, run

ROOM = JID(f"lounge@{CHAT}")


@pytest.fixture(scope="module")
def lounge(salon):
    for name in ("ada", "ben"):
        salon.user(name, f"pw-{name}")
    cli(salon, "category", "create", "Lounges", "--allow", DOMAIN)
    cli(salon, "room", "create", "Blue Lounge", "--category", "Lounges", "--jid", "lounge", "--privacy", "open",
        "--manager", f"ada@{DOMAIN}")
    # The running server picks up CLI changes within a second.
    time.sleep(1.5)
    return salon


def test_disco_and_version_reach_the_occupant(lounge):
    async def scenario():
        ada = await muc_client(lounge, "ada")
        ben = await muc_client(lounge, "ben")
        ada.register_plugin("xep_0092")
        ben.register_plugin("xep_0092", {"software_name": "BenChat", "version": "1.2"})
        await ada.plugin["xep_0045"].join_muc_wait(ROOM, "Ada", maxstanzas=0, timeout=TIMEOUT)
        await ben.plugin["xep_0045"].join_muc_wait(ROOM, "Ben", maxstanzas=0, timeout=TIMEOUT)

        info = await ada.plugin["xep_0030"].get_info(jid=JID(f"{ROOM}/Ben"), timeout=TIMEOUT)
        assert info["from"] == JID(f"{ROOM}/Ben")
        assert "http://jabber.org/protocol/muc" in info["disco_info"]["features"]
        version = await ada.plugin["xep_0092"].get_version(JID(f"{ROOM}/Ben"), timeout=TIMEOUT)
        assert version["software_version"]["name"] == "BenChat"
        await offline(ada, ben)

    run(scenario())
