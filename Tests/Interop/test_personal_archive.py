"""Real-client tests of the personal archive (XEP-0313 on the account) with slixmpp's own
plugins: a 1:1 conversation read back from the archive after a reconnect (xep_0313, paging
with RSM), the archive ids on delivered messages (xep_0359), and preferences (xep_0441)."""
import asyncio

from conftest import DOMAIN
from test_im_extensions import next_event, online
from test_slixmpp_clients import TIMEOUT, offline, run


async def history(xmpp, with_jid=None):
    """Every archived message of the account's own archive, paged 4 at a time: (from, body, id)."""
    found = []
    async for result in xmpp.plugin["xep_0313"].iterate(jid=xmpp.boundjid.bare, with_jid=with_jid, rsm={"max": 4}):
        message = result["mam_result"]["forwarded"]["stanza"]
        found.append((message["from"].bare, message["body"], result["mam_result"]["id"]))
    return found


def test_conversation_is_read_back_after_reconnect(salon):
    for name in ("annam", "benm"):
        salon.user(name, f"pw-{name}")

    async def scenario():
        anna = await online(salon, "annam", "desk", ("xep_0313", "xep_0359"))
        ben = await online(salon, "benm", "home", ("xep_0313", "xep_0359"))
        info = await anna.plugin["xep_0030"].get_info(jid=f"annam@{DOMAIN}", timeout=TIMEOUT)
        assert "urn:xmpp:mam:2" in info["disco_info"]["features"]
        assert "urn:xmpp:sid:0" in info["disco_info"]["features"]

        conversation = []
        delivered_ids = []
        for n in range(9):
            sender, receiver = (anna, ben) if n % 2 == 0 else (ben, anna)
            body = f"line {n}"
            arrived = next_event(receiver, "message", lambda m, body=body: m["body"] == body)
            sender.send_message(mto=receiver.boundjid.bare, mbody=body, mtype="chat")
            message = await asyncio.wait_for(arrived, TIMEOUT)
            if receiver is ben:
                delivered_ids.append(message["stanza_id"]["id"])
                assert message["stanza_id"]["by"] == f"benm@{DOMAIN}"
            conversation.append((sender.boundjid.bare, body))
        await offline(ben)

        ben = await online(salon, "benm", "phone", ("xep_0313", "xep_0359"))
        archived = await history(ben, with_jid=anna.boundjid.bare)
        assert [(sender, body) for sender, body, _ in archived] == conversation
        assert [ident for sender, _, ident in archived if sender == f"annam@{DOMAIN}"] == delivered_ids
        assert [(sender, body) for sender, body, _ in await history(anna)] == conversation
        await offline(anna, ben)

    run(scenario())


def test_preferences_with_slixmpp(salon):
    for name in ("annap", "benp"):
        salon.user(name, f"pw-{name}")

    async def scenario():
        anna = await online(salon, "annap", "desk", ("xep_0313", "xep_0441"))
        ben = await online(salon, "benp", "home", ("xep_0313",))
        default, always, never = await anna.plugin["xep_0441"].get_preferences(timeout=TIMEOUT)
        assert default == "always" and not always and not never
        await anna.plugin["xep_0441"].set_preferences(default="always", never=[ben.boundjid.bare], timeout=TIMEOUT)
        default, always, never = await anna.plugin["xep_0441"].get_preferences(timeout=TIMEOUT)
        assert [str(jid) for jid in never] == [f"benp@{DOMAIN}"]

        arrived = next_event(anna, "message", lambda m: m["body"] == "not kept")
        ben.send_message(mto=anna.boundjid.bare, mbody="not kept", mtype="chat")
        await asyncio.wait_for(arrived, TIMEOUT)
        assert await history(anna) == []
        assert [body for _, body, _ in await history(ben)] == ["not kept"]
        await offline(anna, ben)

    run(scenario())
