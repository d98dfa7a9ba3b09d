#!/usr/bin/env python3
"""A Salon room bot: an external component (XEP-0114) that joins persistent-chat rooms under
its own JID and answers commands posted there.

    salon serve --component bot.localhost=SECRET            # the server accepts the component
    salon room set "Help Desk" --member salonbot@bot.localhost   # rooms must let the bot in
    python3 Examples/bot/salon_bot.py --domain bot.localhost --secret SECRET \\
        --port 5347 --room helpdesk@chat.localhost

Commands, in any room it is in:  !help   !echo TEXT   !time   !who
"""
import argparse
import asyncio
import logging
from datetime import datetime, timezone

from slixmpp import JID, ComponentXMPP
from slixmpp.xmlstream import ET

MUC = "http://jabber.org/protocol/muc"


class SalonBot(ComponentXMPP):
    def __init__(self, domain, secret, host, port, name, nick, rooms):
        super().__init__(domain, secret, host, port)
        self.bot_jid = JID(f"{name}@{domain}/bot")
        self.nick = nick
        self.rooms = rooms
        self.occupants = {room: set() for room in rooms}
        self.register_plugin("xep_0203")  # delayed delivery: tells history from live traffic
        self.add_event_handler("session_start", self.join_rooms)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("presence", self.on_presence)

    def join_rooms(self, _):
        for room in self.rooms:
            presence = self.make_presence(pto=f"{room}/{self.nick}", pfrom=self.bot_jid)
            x = ET.Element(f"{{{MUC}}}x")
            history = ET.SubElement(x, f"{{{MUC}}}history")
            history.set("maxstanzas", "0")
            presence.append(x)
            presence.send()
            logging.info("joining %s as %s", room, self.nick)

    def on_presence(self, presence):
        room, nick = presence["from"].bare, presence["from"].resource
        if room not in self.occupants or not nick:
            return
        if presence["type"] == "error":
            logging.error("cannot join %s: %s", room, presence["error"]["condition"])
        elif presence["type"] == "unavailable":
            self.occupants[room].discard(nick)
        else:
            self.occupants[room].add(nick)

    def on_message(self, message):
        room, nick = message["from"].bare, message["from"].resource
        text = message["body"].strip()
        # Only live room traffic: not its own posts, not history (delayed), not private messages.
        if message["type"] != "groupchat" or room not in self.rooms or nick == self.nick or message["delay"]["stamp"]:
            return
        answer = self.answer(room, text)
        if answer:
            self.send_message(mto=room, mbody=answer, mtype="groupchat", mfrom=self.bot_jid)

    def answer(self, room, text):
        command, _, argument = text.partition(" ")
        if command == "!help":
            return "Commands: !echo TEXT, !time, !who"
        if command == "!echo":
            return argument or "(nothing to echo)"
        if command == "!time":
            return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        if command == "!who":
            return ", ".join(sorted(self.occupants[room])) or "nobody"
        return None


def main():
    parser = argparse.ArgumentParser(description="A Salon room bot (XEP-0114 component).")
    parser.add_argument("--domain", required=True, help="the component's domain, e.g. bot.localhost")
    parser.add_argument("--secret", required=True, help="the shared secret configured in Salon")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5347, help="Salon's component port")
    parser.add_argument("--name", default="salonbot", help="the bot's localpart (rooms list name@domain)")
    parser.add_argument("--nick", default="SalonBot")
    parser.add_argument("--room", action="append", required=True, help="room JID to join (repeatable)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    bot = SalonBot(args.domain, args.secret, args.host, args.port, args.name, args.nick, [JID(r).bare for r in args.room])
    bot.connect()
    asyncio.get_event_loop().run_until_complete(bot.disconnected)


if __name__ == "__main__":
    main()
