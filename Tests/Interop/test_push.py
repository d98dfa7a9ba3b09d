"""Real-client test of push notifications (XEP-0357): a slixmpp ComponentXMPP plays the
app server's push service, a slixmpp client registers with it and goes absent, and a message
from a contact makes the server publish the summary to the component. slixmpp ships no
xep_0357 plugin, so the <enable/> and <disable/> requests are built by hand."""
import asyncio
import os
import subprocess
import xml.etree.ElementTree as ET

from slixmpp import ClientXMPP, ComponentXMPP
from slixmpp.exceptions import IqError
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

from conftest import COMPONENT, COMPONENT_SECRET, DOMAIN, Salon, salon_binary
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


async def push_service(salon):
    """A component that records each publish it is sent (answering it) and each message."""
    service = ComponentXMPP(COMPONENT, COMPONENT_SECRET, "127.0.0.1", salon.component)
    ready = asyncio.get_running_loop().create_future()
    service.add_event_handler("session_start", lambda _: ready.done() or ready.set_result(True))
    service.publishes = asyncio.Queue()
    service.barriers = asyncio.Queue()

    def published(iq):
        service.publishes.put_nowait(iq)
        iq.reply().send()

    service.register_handler(Callback("push publish", MatchXPath(f"{{jabber:component:accept}}iq/{{{PUBSUB}}}pubsub"), published))
    service.add_event_handler("message", lambda msg: service.barriers.put_nowait(msg))
    service.connect()
    await asyncio.wait_for(ready, TIMEOUT)
    return service


def test_a_push_service_component_is_sent_the_summary(salon):
    for name in ("pushalice", "pushbob"):
        salon.user(name, f"pw-{name}")

    async def scenario():
        service = await push_service(salon)
        publishes, barriers = service.publishes, service.barriers

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


def test_push_and_pep_limits_are_configuration_keys(tmp_path, monkeypatch):
    result = subprocess.run([str(salon_binary()), "serve", "--data-dir", str(tmp_path / "bad")], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "SALON_LIMITS_PEP_NODES": "0"})
    assert result.returncode != 0 and "limits.pep_nodes" in result.stderr

    monkeypatch.setenv("SALON_PUSH_INCLUDE_BODY", "true")
    monkeypatch.setenv("SALON_LIMITS_PUSH_REGISTRATIONS", "1")
    monkeypatch.setenv("SALON_LIMITS_PEP_NODES", "1")
    server = Salon(tmp_path)
    server.start()
    try:
        for name in ("keyalice", "keybob"):
            server.user(name, f"pw-{name}")

        async def scenario():
            service = await push_service(server)
            alice = await signed_in_without_presence(server, "keyalice")
            await push_request(alice, f"<enable xmlns='{PUSH}' jid='{COMPONENT}' node='one'/>")
            try:
                await push_request(alice, f"<enable xmlns='{PUSH}' jid='{COMPONENT}' node='two'/>")
                raise AssertionError("a second registration was accepted")
            except IqError as error:
                assert error.condition == "not-allowed"
            await push_request(alice, f"<pubsub xmlns='{PUBSUB}'><publish node='urn:example:one'><item><n xmlns='urn:example'/></item></publish></pubsub>")
            # slixmpp 1.17 cannot read a policy-violation stanza error (RFC 6120 §8.3.3.12): read the reply raw.
            reply = asyncio.get_running_loop().create_future()
            alice.register_handler(Callback("second node", MatchXPath("{jabber:client}iq"),
                                            lambda iq: reply.done() or iq["id"] != "node-two" or reply.set_result(iq.xml)))
            alice.send_raw(f"<iq type='set' id='node-two'><pubsub xmlns='{PUBSUB}'><publish node='urn:example:two'>"
                           f"<item><n xmlns='urn:example'/></item></publish></pubsub></iq>")
            answer = await asyncio.wait_for(reply, TIMEOUT)
            assert answer.get("type") == "error"
            assert answer.find("{jabber:client}error/{urn:ietf:params:xml:ns:xmpp-stanzas}policy-violation") is not None

            bob = await online(server, "keybob", "desk")
            bob.send_message(mto=f"keyalice@{DOMAIN}", mbody="with the text", mtype="chat")
            iq = await asyncio.wait_for(service.publishes.get(), TIMEOUT)
            assert summary_fields(iq)["last-message-body"] == ["with the text"]
            await offline(alice, bob)
            service.disconnect()

        run(scenario())
    finally:
        server.stop()
    assert server.process.returncode == 0, server.output.read_text()
