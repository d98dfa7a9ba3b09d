"""Real-client tests: slixmpp logs in over STARTTLS and direct TLS, exchanges messages and
pings, and a slixmpp ComponentXMPP connects as an external component."""
import asyncio
import ssl

import pytest
from slixmpp import ClientXMPP, ComponentXMPP

from conftest import COMPONENT, COMPONENT_SECRET, DOMAIN

TIMEOUT = 20


def insecure(xmpp):
    # The server's certificate is self-signed for this test run.
    xmpp.ssl_context.check_hostname = False
    xmpp.ssl_context.verify_mode = ssl.CERT_NONE


async def online(salon, name, direct_tls=False):
    """Connects a slixmpp client and waits for session_start."""
    xmpp = ClientXMPP(f"{name}@{DOMAIN}/interop", f"pw-{name}")
    insecure(xmpp)
    xmpp.enable_direct_tls = direct_tls
    xmpp.enable_starttls = not direct_tls
    xmpp.enable_plaintext = False
    xmpp.register_plugin("xep_0030")
    xmpp.register_plugin("xep_0199")
    started = asyncio.get_running_loop().create_future()
    failed = lambda *_: started.done() or started.set_exception(RuntimeError("authentication failed"))
    xmpp.add_event_handler("session_start", lambda _: started.done() or started.set_result(True))
    xmpp.add_event_handler("failed_all_auth", failed)
    xmpp.connect("127.0.0.1", salon.tls if direct_tls else salon.c2s)
    await asyncio.wait_for(started, TIMEOUT)
    xmpp.send_presence()
    await xmpp.get_roster()
    return xmpp


async def offline(*clients):
    for xmpp in clients:
        xmpp.disconnect()
        await asyncio.wait_for(xmpp.disconnected, TIMEOUT)


def run(coroutine):
    asyncio.run(asyncio.wait_for(coroutine, 60))


@pytest.mark.parametrize("direct_tls", [False, True], ids=["starttls", "direct-tls"])
def test_login_message_and_ping(salon, direct_tls):
    suffix = "d" if direct_tls else "s"
    salon.user(f"alice{suffix}", f"pw-alice{suffix}")
    salon.user(f"bob{suffix}", f"pw-bob{suffix}")

    async def scenario():
        alice = await online(salon, f"alice{suffix}", direct_tls)
        bob = await online(salon, f"bob{suffix}", direct_tls)
        received = asyncio.get_running_loop().create_future()
        bob.add_event_handler("message", lambda msg: received.done() or received.set_result(msg))
        alice.send_message(mto=f"bob{suffix}@{DOMAIN}", mbody="hello from slixmpp", mtype="chat")
        msg = await asyncio.wait_for(received, TIMEOUT)
        assert msg["body"] == "hello from slixmpp"
        assert msg["from"].bare == f"alice{suffix}@{DOMAIN}"
        rtt = await alice.plugin["xep_0199"].ping(jid=DOMAIN, timeout=TIMEOUT)
        assert rtt >= 0
        info = await alice.plugin["xep_0030"].get_info(jid=DOMAIN, timeout=TIMEOUT)
        assert "urn:xmpp:ping" in info["disco_info"]["features"]
        await offline(alice, bob)

    run(scenario())


def test_wrong_password_is_refused(salon):
    salon.user("carol", "pw-carol")

    async def scenario():
        xmpp = ClientXMPP(f"carol@{DOMAIN}/interop", "not-her-password")
        insecure(xmpp)
        xmpp.enable_direct_tls = False
        failed = asyncio.get_running_loop().create_future()
        xmpp.add_event_handler("failed_all_auth", lambda _: failed.done() or failed.set_result(True))
        xmpp.add_event_handler("session_start", lambda _: failed.done() or failed.set_result(False))
        xmpp.connect("127.0.0.1", salon.c2s)
        assert await asyncio.wait_for(failed, TIMEOUT) is True
        xmpp.disconnect()

    run(scenario())


def test_component_connects_and_routes(salon):
    salon.user("dora", "pw-dora")

    async def scenario():
        component = ComponentXMPP(COMPONENT, COMPONENT_SECRET, "127.0.0.1", salon.component)
        ready = asyncio.get_running_loop().create_future()
        component.add_event_handler("session_start", lambda _: ready.done() or ready.set_result(True))

        def echo(msg):
            if msg["type"] in ("chat", "normal"):
                msg.reply(f"echo: {msg['body']}").send()

        component.add_event_handler("message", echo)
        component.connect()
        await asyncio.wait_for(ready, TIMEOUT)

        dora = await online(salon, "dora")
        answered = asyncio.get_running_loop().create_future()
        dora.add_event_handler("message", lambda msg: answered.done() or answered.set_result(msg))
        dora.send_message(mto=f"echo@{COMPONENT}", mbody="ping?", mtype="chat")
        reply = await asyncio.wait_for(answered, TIMEOUT)
        assert reply["body"] == "echo: ping?"
        assert reply["from"].bare == f"echo@{COMPONENT}"
        await offline(dora)
        component.disconnect()

    run(scenario())
