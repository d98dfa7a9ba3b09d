"""Real-client test of push notifications (XEP-0357): a slixmpp ComponentXMPP plays the
app server's push service, a slixmpp client registers with it and goes absent, and a message
from a contact makes the server publish the summary to the component. slixmpp ships no
xep_0357 plugin, so the <enable/> and <disable/> requests are built by hand."""
import asyncio
import xml.etree.ElementTree as ET

from slixmpp import ClientXMPP, ComponentXMPP
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

from conftest import COMPONENT, COMPONENT_SECRET, DOMAIN
from test_im_extensions import online
from test_slixmpp_clients import TIMEOUT, insecure, offline, run

PUSH = "urn:xmpp:push:0"
PUBSUB = "http://jabber.org/protocol/pubsub"
DATA = "jabber:x:data"


async def signed_in_without_presence(salon, name):
    """A session that never becomes available: messages for the account go offline."""
    xmpp = ClientXMPP(f"{name}@{DOMAIN}/phone", f"pw-{name}")
    insecure(xmpp)
    xmpp.enable_plaintext = False
    xmpp.register_plugin("xep_0030")
    started = asyncio.get_running_loop().create_future()
    xmpp.add_event_handler("session_start", lambda _: started.done() or started.set_result(True))
    xmpp.connect("127.0.0.1", salon.c2s)
    await asyncio.wait_for(started, TIMEOUT)
    return xmpp


async def push_request(xmpp, xml):
    iq = xmpp.Iq()
    iq["type"] = "set"
    iq.append(ET.fromstring(xml))
    return await iq.send(timeout=TIMEOUT)


def summary_fields(iq):
    form = iq.xml.find(f"{{{PUBSUB}}}pubsub/{{{PUBSUB}}}publish/{{{PUBSUB}}}item/{{{PUSH}}}notification/{{{DATA}}}x")
    return {field.get("var"): [v.text for v in field.findall(f"{{{DATA}}}value")] for field in form.findall(f"{{{DATA}}}field")}


def test_a_push_service_component_is_sent_the_summary(salon):
    for name in ("pushalice", "pushbob"):
        salon.user(name, f"pw-{name}")

    async def scenario():
        service = ComponentXMPP(COMPONENT, COMPONENT_SECRET, "127.0.0.1", salon.component)
        ready = asyncio.get_running_loop().create_future()
        service.add_event_handler("session_start", lambda _: ready.done() or ready.set_result(True))
        publishes = asyncio.Queue()
        barriers = asyncio.Queue()

        def published(iq):
            publishes.put_nowait(iq)
            iq.reply().send()

        service.register_handler(Callback("push publish", MatchXPath(f"{{jabber:component:accept}}iq/{{{PUBSUB}}}pubsub"), published))
        service.add_event_handler("message", lambda msg: barriers.put_nowait(msg))
        service.connect()
        await asyncio.wait_for(ready, TIMEOUT)

        alice = await signed_in_without_presence(salon, "pushalice")
        info = await alice.plugin["xep_0030"].get_info(jid=f"pushalice@{DOMAIN}", timeout=TIMEOUT)
        assert PUSH in info["disco_info"]["features"]
        await push_request(alice, f"<enable xmlns='{PUSH}' jid='{COMPONENT}' node='device-token'>"
                                  f"<x xmlns='{DATA}' type='submit'>"
                                  f"<field var='FORM_TYPE'><value>{PUBSUB}#publish-options</value></field>"
                                  f"<field var='secret'><value>app-secret</value></field></x></enable>")

        bob = await online(salon, "pushbob", "desk")
        bob.send_message(mto=f"pushalice@{DOMAIN}", mbody="Wherefore art thou?", mtype="chat")
        iq = await asyncio.wait_for(publishes.get(), TIMEOUT)
        assert iq["from"].full == DOMAIN
        assert iq.xml.find(f"{{{PUBSUB}}}pubsub/{{{PUBSUB}}}publish").get("node") == "device-token"
        fields = summary_fields(iq)
        assert fields["FORM_TYPE"] == ["urn:xmpp:push:summary"]
        assert fields["message-count"] == ["1"]
        assert fields["last-message-sender"] == [f"pushbob@{DOMAIN}/desk"]
        assert "last-message-body" not in fields  # push.include_body is off by default
        options = iq.xml.find(f"{{{PUBSUB}}}pubsub/{{{PUBSUB}}}publish-options/{{{DATA}}}x")
        assert [v.text for f in options if f.get("var") == "secret" for v in f] == ["app-secret"]

        # Disabled: the next message publishes nothing. Bob's message to the component comes
        # after anything his earlier message made the server publish.
        await push_request(alice, f"<disable xmlns='{PUSH}' jid='{COMPONENT}'/>")
        bob.send_message(mto=f"pushalice@{DOMAIN}", mbody="hello?", mtype="chat")
        await bob.plugin["xep_0199"].ping(jid=DOMAIN, timeout=TIMEOUT)
        bob.send_message(mto=f"barrier@{COMPONENT}", mbody="barrier", mtype="chat")
        await asyncio.wait_for(barriers.get(), TIMEOUT)
        assert publishes.empty()

        await offline(alice, bob)
        service.disconnect()

    run(scenario())
