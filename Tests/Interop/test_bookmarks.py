"""Bookmarks with real slixmpp clients: XEP-0402 items published by one resource reach the
account's other resource and XEP-0048 readers (private storage, XEP-0049), and XEP-0048
bookmarks written by an old client appear as XEP-0402 items."""
import asyncio

from slixmpp.plugins.xep_0048.stanza import Bookmarks
from slixmpp.plugins.xep_0402.stanza import Conference

from conftest import DOMAIN
from test_pep import PLUGINS, pep_client
from test_slixmpp_clients import TIMEOUT, offline, run

NODE = "urn:xmpp:bookmarks:1"
BOOKMARK_PLUGINS = PLUGINS + ["xep_0004", "xep_0045", "xep_0049", "xep_0223", "xep_0048", "xep_0402"]


async def bookmark_client(salon, name, resource):
    return await pep_client(salon, name, resource, BOOKMARK_PLUGINS, interests=[NODE])


def publish_options(xmpp):
    form = xmpp.plugin["xep_0004"].make_form(ftype="submit")
    form.add_field(var="FORM_TYPE", ftype="hidden", value="http://jabber.org/protocol/pubsub#publish-options")
    for var, value in [("pubsub#persist_items", "true"), ("pubsub#max_items", "max"),
                       ("pubsub#send_last_published_item", "never"), ("pubsub#access_model", "whitelist")]:
        form.add_field(var=var, value=value)
    return form


def first_event(xmpp):
    received = asyncio.get_running_loop().create_future()
    xmpp.add_event_handler("pubsub_publish", lambda msg: received.done() or
                           (msg["pubsub_event"]["items"]["node"] == NODE and received.set_result(msg)))
    return received


def test_bookmark_published_by_one_resource_reaches_the_other(salon):
    salon.user("witch", "pw-witch")
    room = f"coven@rooms.{DOMAIN}"

    async def scenario():
        desk = await bookmark_client(salon, "witch", "desk")
        phone = await bookmark_client(salon, "witch", "phone")
        info = await phone.plugin["xep_0030"].get_info(jid=f"witch@{DOMAIN}", timeout=TIMEOUT)
        assert "urn:xmpp:bookmarks:1#compat" in info["disco_info"]["features"]
        notified = first_event(phone)

        conference = Conference()
        conference["name"] = "The Coven"
        conference["autojoin"] = True
        conference["nick"] = "witch"
        await desk.plugin["xep_0060"].publish(f"witch@{DOMAIN}", NODE, id=room, payload=conference,
                                              options=publish_options(desk), timeout=TIMEOUT)
        msg = await asyncio.wait_for(notified, TIMEOUT)
        assert msg["pubsub_event"]["items"]["item"]["id"] == room

        items = await phone.plugin["xep_0060"].get_items(f"witch@{DOMAIN}", NODE, timeout=TIMEOUT)
        [item] = list(items["pubsub"]["items"])
        assert item["id"] == room
        assert item["conference"]["name"] == "The Coven"
        assert item["conference"]["autojoin"] is True
        assert item["conference"]["nick"] == "witch"

        # A XEP-0048 client reading private storage sees the same bookmark.
        legacy = await phone.plugin["xep_0048"].get_bookmarks(method="xep_0049", timeout=TIMEOUT)
        [old] = list(legacy["private"]["bookmarks"]["conferences"])
        assert old["jid"] == room and old["name"] == "The Coven" and old["autojoin"]
        await offline(desk, phone)

    run(scenario())


def test_xep0048_bookmarks_become_xep0402_items(salon):
    salon.user("wizard", "pw-wizard")
    room = f"tower@rooms.{DOMAIN}"

    async def scenario():
        old_client = await bookmark_client(salon, "wizard", "old")
        new_client = await bookmark_client(salon, "wizard", "new")
        notified = first_event(new_client)
        bookmarks = Bookmarks()
        bookmarks.add_conference(room, "gandalf", name="The Tower", autojoin=True)
        await old_client.plugin["xep_0048"].set_bookmarks(bookmarks, method="xep_0049", timeout=TIMEOUT)
        msg = await asyncio.wait_for(notified, TIMEOUT)
        assert msg["pubsub_event"]["items"]["item"]["id"] == room
        items = await new_client.plugin["xep_0060"].get_items(f"wizard@{DOMAIN}", NODE, timeout=TIMEOUT)
        [item] = list(items["pubsub"]["items"])
        assert item["conference"]["nick"] == "gandalf"
        assert item["conference"]["name"] == "The Tower"
        await offline(old_client, new_client)

    run(scenario())


def test_xep0048_bookmarks_in_pep_reach_private_storage_and_xep0402(salon):
    salon.user("sorcerer", "pw-sorcerer")
    room = f"keep@rooms.{DOMAIN}"

    async def scenario():
        pep_user = await bookmark_client(salon, "sorcerer", "pep")
        bookmarks = Bookmarks()
        bookmarks.add_conference(room, "merlin", name="The Keep", autojoin=False)
        await pep_user.plugin["xep_0048"].set_bookmarks(bookmarks, method="xep_0223", timeout=TIMEOUT)
        private = await pep_user.plugin["xep_0048"].get_bookmarks(method="xep_0049", timeout=TIMEOUT)
        [conference] = list(private["private"]["bookmarks"]["conferences"])
        assert conference["jid"] == room and conference["nick"] == "merlin" and not conference["autojoin"]
        items = await pep_user.plugin["xep_0060"].get_items(f"sorcerer@{DOMAIN}", NODE, timeout=TIMEOUT)
        [item] = list(items["pubsub"]["items"])
        assert item["id"] == room and item["conference"]["name"] == "The Keep"
        await offline(pep_user)

    run(scenario())


async def room_known(xmpp, room):
    """Waits until the server answers disco#info for `room` (it has picked the room up)."""
    from slixmpp.exceptions import IqError
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while True:
        try:
            await xmpp.plugin["xep_0030"].get_info(jid=room, timeout=TIMEOUT)
            return
        except IqError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.2)


def test_bookmark_of_a_removed_room_is_retracted(salon):
    """The operator deletes a followed room with the CLI: the bookmark is retracted to the
    user's other resource and gone from XEP-0048 private storage; another room's stays."""
    from test_rooms import CHAT, cli

    salon.user("follower", "pw-follower")
    cli(salon, "category", "create", "Porches", "--allow", DOMAIN)
    cli(salon, "room", "create", "Porch", "--category", "Porches", "--jid", "porch", "--privacy", "open")
    cli(salon, "room", "create", "Garden", "--category", "Porches", "--jid", "garden", "--privacy", "open")
    porch, garden = f"porch@{CHAT}", f"garden@{CHAT}"

    async def scenario():
        desk = await bookmark_client(salon, "follower", "desk")
        phone = await bookmark_client(salon, "follower", "phone")
        for room in (porch, garden):
            conference = Conference()
            conference["autojoin"] = True
            conference["nick"] = "follower"
            await desk.plugin["xep_0060"].publish(f"follower@{DOMAIN}", NODE, id=room, payload=conference,
                                                  options=publish_options(desk), timeout=TIMEOUT)
        # The server picks up CLI changes by polling: wait until it knows the room, so the
        # removal below is a change it sees (not a room created and removed between two polls).
        await room_known(phone, porch)
        retracted = asyncio.get_running_loop().create_future()
        phone.add_event_handler("pubsub_retract", lambda msg: retracted.done() or
                                (msg["pubsub_event"]["items"]["node"] == NODE and retracted.set_result(msg)))
        cli(salon, "room", "remove", "Porch")
        msg = await asyncio.wait_for(retracted, TIMEOUT)
        assert msg["pubsub_event"]["items"]["retract"]["id"] == porch

        items = await phone.plugin["xep_0060"].get_items(f"follower@{DOMAIN}", NODE, timeout=TIMEOUT)
        assert [item["id"] for item in items["pubsub"]["items"]] == [garden]
        # The XEP-0048 copy is rewritten after the retraction is sent: wait for it, bounded.
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        while True:
            legacy = await phone.plugin["xep_0048"].get_bookmarks(method="xep_0049", timeout=TIMEOUT)
            kept = [c["jid"] for c in legacy["private"]["bookmarks"]["conferences"]]
            if kept == [garden] or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.1)
        assert kept == [garden]
        await offline(desk, phone)

    run(scenario())
