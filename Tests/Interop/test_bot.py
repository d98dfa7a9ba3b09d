"""The example bot (Examples/bot/salon_bot.py), end to end: it connects as a component, joins a
Closed room it is a member of, and answers a user's command there."""
import asyncio
import subprocess
import sys
import time

from conftest import COMPONENT, COMPONENT_SECRET, DOMAIN, ROOT
from test_rooms import CHAT, cli, muc_client
from test_slixmpp_clients import TIMEOUT, offline, run


def test_example_bot_answers_in_a_room(salon):
    salon.user("wendy", "pw-wendy")
    cli(salon, "category", "create", "Service", "--allow", DOMAIN, "--allow", COMPONENT)
    cli(salon, "room", "create", "Help Desk", "--category", "Service", "--jid", "helpdesk", "--privacy", "closed",
        "--member", f"wendy@{DOMAIN}", "--member", f"salonbot@{COMPONENT}")
    time.sleep(1.5)
    bot = subprocess.Popen([sys.executable, str(ROOT / "Examples" / "bot" / "salon_bot.py"), "--domain", COMPONENT,
                            "--secret", COMPONENT_SECRET, "--port", str(salon.component), "--room", f"helpdesk@{CHAT}"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        async def scenario():
            wendy = await muc_client(salon, "wendy")
            room = f"helpdesk@{CHAT}"
            joined = asyncio.get_running_loop().create_future()
            wendy.add_event_handler("muc::%s::got_online" % room,
                                   lambda p: p["muc"]["nick"] == "SalonBot" and not joined.done() and joined.set_result(True))
            await wendy.plugin["xep_0045"].join_muc_wait(room, "Wendy", maxstanzas=0, timeout=TIMEOUT)
            await asyncio.wait_for(joined, TIMEOUT)
            answered = asyncio.get_running_loop().create_future()
            wendy.add_event_handler("groupchat_message",
                                   lambda m: m["mucnick"] == "SalonBot" and not answered.done() and answered.set_result(m["body"]))
            wendy.send_message(mto=room, mbody="!echo hello from wendy", mtype="groupchat")
            assert await asyncio.wait_for(answered, TIMEOUT) == "hello from wendy"
            await offline(wendy)
        run(scenario())
    finally:
        bot.terminate()
        output = bot.communicate(timeout=10)[0]
        print(output)
    assert "cannot join" not in output, output
