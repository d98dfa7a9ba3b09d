"""Real-client tests of the account's IM extensions with slixmpp's own plugins: message carbons
(xep_0280) between two resources of one account, blocking (xep_0191) of a contact, and vCards
(xep_0054)."""
import asyncio

from slixmpp import ClientXMPP
from slixmpp.exceptions import IqError

from conftest import DOMAIN
from test_slixmpp_clients import TIMEOUT, insecure, offline, run


async def online(salon, name, resource, plugins=()):
    """A slixmpp client with the plugins asked for, online as name@DOMAIN/resource."""
    xmpp = ClientXMPP(f"{name}@{DOMAIN}/{resource}", f"pw-{name}")
    insecure(xmpp)
    xmpp.enable_plaintext = False
    for plugin in ("xep_0030", "xep_0199", *plugins):
        xmpp.register_plugin(plugin)
    started = asyncio.get_running_loop().create_future()
    xmpp.add_event_handler("session_start", lambda _: started.done() or started.set_result(True))
    xmpp.connect("127.0.0.1", salon.c2s)
    await asyncio.wait_for(started, TIMEOUT)
    xmpp.send_presence()
    await xmpp.get_roster()
    return xmpp


def next_event(xmpp, event, matching=lambda _: True):
    """A future for the next `event` whose stanza satisfies `matching`."""
    future = asyncio.get_running_loop().create_future()

    def handler(stanza):
        if not future.done() and matching(stanza):
            future.set_result(stanza)
    xmpp.add_event_handler(event, handler)
    return future


def test_carbons_between_two_resources(salon):
    for name in ("carolc", "davec"):
        salon.user(name, f"pw-{name}")

    async def scenario():
        desk = await online(salon, "carolc", "desk", ("xep_0280",))
        phone = await online(salon, "carolc", "phone", ("xep_0280",))
        dave = await online(salon, "davec", "home")
        info = await phone.plugin["xep_0030"].get_info(jid=DOMAIN, timeout=TIMEOUT)
        assert "urn:xmpp:carbons:2" in info["disco_info"]["features"]
        await desk.plugin["xep_0280"].enable(timeout=TIMEOUT)
        await phone.plugin["xep_0280"].enable(timeout=TIMEOUT)

        received = next_event(phone, "carbon_received")
        direct = next_event(desk, "message", lambda m: m["body"] == "to your desk")
        dave.send_message(mto=f"carolc@{DOMAIN}/desk", mbody="to your desk", mtype="chat")
        await asyncio.wait_for(direct, TIMEOUT)
        carbon = await asyncio.wait_for(received, TIMEOUT)
        assert carbon["carbon_received"]["body"] == "to your desk"
        assert carbon["carbon_received"]["from"].bare == f"davec@{DOMAIN}"

        sent = next_event(phone, "carbon_sent")
        desk.send_message(mto=f"davec@{DOMAIN}", mbody="answered from the desk", mtype="chat")
        carbon = await asyncio.wait_for(sent, TIMEOUT)
        assert carbon["carbon_sent"]["body"] == "answered from the desk"
        assert carbon["carbon_sent"]["to"].bare == f"davec@{DOMAIN}"
        await offline(desk, phone, dave)

    run(scenario())


def test_blocking_a_contact(salon):
    for name in ("carolb", "daveb"):
        salon.user(name, f"pw-{name}")

    async def scenario():
        carol = await online(salon, "carolb", "desk", ("xep_0191",))
        other = await online(salon, "carolb", "phone", ("xep_0191",))
        dave = await online(salon, "daveb", "home")
        assert await carol.plugin["xep_0191"].get_blocked_jids(timeout=TIMEOUT) == set()
        assert await other.plugin["xep_0191"].get_blocked_jids(timeout=TIMEOUT) == set()

        pushed = next_event(other, "blocked")
        await carol.plugin["xep_0191"].block(f"daveb@{DOMAIN}", timeout=TIMEOUT)
        push = await asyncio.wait_for(pushed, TIMEOUT)
        assert {str(item["jid"]) for item in push["block"]} == {f"daveb@{DOMAIN}"}

        bounced = next_event(dave, "message_error")
        dave.send_message(mto=f"carolb@{DOMAIN}", mbody="can you hear me?", mtype="chat")
        error = await asyncio.wait_for(bounced, TIMEOUT)
        assert error["error"]["condition"] == "service-unavailable"

        refused = next_event(carol, "message_error")
        carol.send_message(mto=f"daveb@{DOMAIN}", mbody="no", mtype="chat")
        error = await asyncio.wait_for(refused, TIMEOUT)
        assert error["error"]["condition"] == "not-acceptable"
        assert error.xml.find("{jabber:client}error/{urn:xmpp:blocking:errors}blocked") is not None

        await carol.plugin["xep_0191"].unblock(f"daveb@{DOMAIN}", timeout=TIMEOUT)
        assert await carol.plugin["xep_0191"].get_blocked_jids(timeout=TIMEOUT) == set()
        arrived = next_event(carol, "message", lambda m: m["body"] == "now?")
        dave.send_message(mto=f"carolb@{DOMAIN}/desk", mbody="now?", mtype="chat")
        await asyncio.wait_for(arrived, TIMEOUT)
        await offline(carol, other, dave)

    run(scenario())


def test_vcard_published_and_read_by_a_contact(salon):
    for name in ("carolv", "davev"):
        salon.user(name, f"pw-{name}")

    async def scenario():
        carol = await online(salon, "carolv", "desk", ("xep_0054",))
        dave = await online(salon, "davev", "home", ("xep_0054",))
        vcard = carol.plugin["xep_0054"].make_vcard()
        vcard["FN"] = "Carol Vee"
        vcard["NICKNAME"] = "carol"
        await carol.plugin["xep_0054"].publish_vcard(vcard, timeout=TIMEOUT)
        iq = await dave.plugin["xep_0054"].get_vcard(f"carolv@{DOMAIN}", timeout=TIMEOUT)
        assert iq["vcard_temp"]["FN"] == "Carol Vee"
        assert iq["vcard_temp"]["NICKNAME"] == ["carol"]
        try:
            await dave.plugin["xep_0054"].publish_vcard(vcard, jid=f"carolv@{DOMAIN}", timeout=TIMEOUT)
            raise AssertionError("a vCard set for someone else was accepted")
        except IqError as error:
            assert error.iq["error"]["condition"] == "forbidden"
        await offline(carol, dave)

    run(scenario())
