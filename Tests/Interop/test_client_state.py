"""Real-client test of Client State Indication with slixmpp's xep_0352 plugin: the server offers
CSI, an inactive client still gets messages at once while presence waits, and becoming active
again delivers the contact's latest presence only."""
import asyncio

from conftest import DOMAIN
from test_im_extensions import next_event, online
from test_slixmpp_clients import TIMEOUT, offline, run


def test_inactive_client_gets_latest_presence_when_active(salon):
    for name in ("carolcsi", "davecsi"):
        salon.user(name, f"pw-{name}")

    async def scenario():
        carol = await online(salon, "carolcsi", "phone", ("xep_0352",))
        dave = await online(salon, "davecsi", "home")
        csi = carol.plugin["xep_0352"]
        assert csi.enabled, "the server offered no CSI stream feature"

        seen = []
        carol.add_event_handler(
            "presence_available",
            lambda p: seen.append(p["status"]) if p["from"].bare == f"davecsi@{DOMAIN}" else None)

        csi.send_inactive()
        await carol.plugin["xep_0199"].ping(jid=DOMAIN, timeout=TIMEOUT)
        for status in ("in a meeting", "at lunch", "back soon"):
            dave.send_presence(pto=carol.boundjid.full, pstatus=status)
        message = next_event(carol, "message", lambda m: m["body"] == "are you there?")
        dave.send_message(mto=carol.boundjid.full, mbody="are you there?", mtype="chat")
        await asyncio.wait_for(message, TIMEOUT)  # after dave's presences, and not held
        assert seen == []

        csi.send_active()
        await carol.plugin["xep_0199"].ping(jid=DOMAIN, timeout=TIMEOUT)
        assert seen == ["back soon"]
        await offline(carol, dave)

    run(scenario())
