"""PEP (XEP-0163) with real slixmpp clients: a contact subscribed to an account's presence
gets its mood (XEP-0107) as a notification, filtered by entity capabilities (XEP-0115)."""
import asyncio

from slixmpp import ClientXMPP

from conftest import DOMAIN
from test_slixmpp_clients import TIMEOUT, insecure, offline, run

PLUGINS = ["xep_0030", "xep_0060", "xep_0115", "xep_0163", "xep_0107", "xep_0199"]


async def pep_client(salon, name, resource="interop", plugins=PLUGINS, interests=()):
    """A logged-in client whose initial presence carries its +notify interests (XEP-0115 caps);
    returns once the server has asked what the caps stand for and been answered."""
    xmpp = ClientXMPP(f"{name}@{DOMAIN}/{resource}", f"pw-{name}")
    insecure(xmpp)
    xmpp.enable_plaintext = False
    for plugin in plugins:
        xmpp.register_plugin(plugin)
    loop = asyncio.get_running_loop()
    started = loop.create_future()
    xmpp.add_event_handler("session_start", lambda _: started.done() or started.set_result(True))
    xmpp.connect("127.0.0.1", salon.c2s)
    await asyncio.wait_for(started, TIMEOUT)
    # A feature of its own makes this client's caps unique, so the server always asks.
    xmpp.plugin["xep_0030"].add_feature(f"urn:salon:interop:{name}:{resource}")
    for namespace in interests:
        xmpp.plugin["xep_0030"].add_feature(f"{namespace}+notify")
    await xmpp.plugin["xep_0115"].update_caps(broadcast=False)
    answered = loop.create_future()

    def watch(stanza):
        if stanza.name == "iq" and stanza["type"] == "result" and not answered.done() \
                and stanza.xml.find("{http://jabber.org/protocol/disco#info}query") is not None:
            answered.set_result(True)
        return stanza

    xmpp.add_filter("out", watch)
    await xmpp.get_roster()
    xmpp.send_presence()
    await asyncio.wait_for(answered, TIMEOUT)
    xmpp.del_filter("out", watch)
    # The answer went out before this ping, so the server has read it when the ping returns.
    await xmpp.plugin["xep_0199"].ping(jid=DOMAIN, timeout=TIMEOUT)
    return xmpp


async def befriend(a, b):
    """Mutual presence subscription through the real handshake (slixmpp answers it itself)."""
    a.send_presence_subscription(pto=b.boundjid.bare)
    for _ in range(200):
        if a.client_roster[b.boundjid.bare]["subscription"] == "both" and b.client_roster[a.boundjid.bare]["subscription"] == "both":
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the subscription handshake did not complete")


async def mood_reaches_the_contact_only(publisher, contact, stranger, text):
    """`publisher` publishes a happy mood: `contact` gets the notification; `stranger`, with the
    +notify interest but no subscription, still has nothing a round trip later."""
    moods = asyncio.get_running_loop().create_future()
    contact.add_event_handler("user_mood_publish", lambda msg: moods.done() or moods.set_result(msg))
    seen_by_stranger = []
    stranger.add_event_handler("user_mood_publish", seen_by_stranger.append)
    await publisher.plugin["xep_0107"].publish_mood("happy", text=text, timeout=TIMEOUT)
    msg = await asyncio.wait_for(moods, TIMEOUT)
    assert msg["from"].bare == publisher.requested_jid.bare
    assert msg["pubsub_event"]["items"]["item"]["mood"]["value"] == "happy"
    await stranger.plugin["xep_0199"].ping(jid=DOMAIN, timeout=TIMEOUT)
    assert seen_by_stranger == []


def test_contact_gets_mood_notification(salon):
    salon.user("moody", "pw-moody")
    salon.user("friend", "pw-friend")
    salon.user("stranger", "pw-stranger")

    async def scenario():
        moody = await pep_client(salon, "moody")
        friend = await pep_client(salon, "friend")
        stranger = await pep_client(salon, "stranger")
        await befriend(moody, friend)
        info = await friend.plugin["xep_0030"].get_info(jid=f"moody@{DOMAIN}", timeout=TIMEOUT)
        assert ("pubsub", "pep", None, None) in info["disco_info"]["identities"]
        assert "http://jabber.org/protocol/pubsub#publish-options" in info["disco_info"]["features"]

        await mood_reaches_the_contact_only(moody, friend, stranger, "sunny day")

        items = await friend.plugin["xep_0060"].get_items(f"moody@{DOMAIN}", "http://jabber.org/protocol/mood", timeout=TIMEOUT)
        assert len(items["pubsub"]["items"]) == 1
        await offline(moody, friend, stranger)

    run(scenario())
