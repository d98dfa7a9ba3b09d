"""Legitimate users during a flood: one logs in again and again, two chat in a room. Their
login and message latencies are what a flood must not ruin."""
import asyncio
import itertools
import time

from client import Client, body

TIMEOUT = 15


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Legitimate:
    def __init__(self, salon, room, password):
        self.salon, self.room, self.password = salon, room, password
        self.logins, self.latencies = [], []
        self.failures = []
        self.recording = False
        self.sent = {}
        self.tasks = []
        self.chatters = []

    def client(self, user, resource):
        return Client("127.0.0.1", self.salon.c2s, "localhost", user, self.password, resource)

    async def start(self):
        alice, bob = self.client("alice", "chat"), self.client("bob", "chat")
        await alice.login(TIMEOUT)
        await bob.login(TIMEOUT)
        await alice.join(self.room, "alice", TIMEOUT)
        await bob.join(self.room, "bob", TIMEOUT)
        self.chatters = [alice, bob]
        self.tasks = [asyncio.create_task(self._chat(alice)), asyncio.create_task(self._listen(bob)),
                      asyncio.create_task(self._login_loop())]

    def record(self, on):
        self.recording = on

    async def _chat(self, alice):
        for n in itertools.count():
            token = f"legit-{n}"
            self.sent[token] = time.monotonic()
            alice.post(self.room, token)
            await asyncio.sleep(0.1)
            for late in [t for t, at in self.sent.items() if time.monotonic() - at > TIMEOUT]:
                del self.sent[late]
                if self.recording:
                    self.failures.append(f"message {late} not delivered within {TIMEOUT} s")

    async def _listen(self, bob):
        while True:
            arrived, message = await bob.messages.get()
            sent = self.sent.pop(body(message) or "", None)
            if sent is not None and self.recording:
                self.latencies.append(arrived - sent)

    async def _login_loop(self):
        for n in itertools.count():
            carol = self.client("carol", f"login{n % 4}")
            try:
                seconds = await carol.login(TIMEOUT)
                await carol.ping(TIMEOUT)
                if self.recording:
                    self.logins.append(seconds)
            except Exception as error:  # any failure is the result being measured
                if self.recording:
                    self.failures.append(f"login: {error!r}")
            finally:
                await carol.close()
            await asyncio.sleep(0.2)

    async def stop(self):
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for chatter in self.chatters:
            await chatter.close()

    def summary(self):
        ms = lambda v: None if v is None else round(v * 1000, 1)
        return {
            "logins": len(self.logins), "login_p50_ms": ms(percentile(self.logins, 0.5)),
            "login_p99_ms": ms(percentile(self.logins, 0.99)),
            "messages": len(self.latencies), "message_p50_ms": ms(percentile(self.latencies, 0.5)),
            "message_p99_ms": ms(percentile(self.latencies, 0.99)),
            "failures": len(self.failures), "first_failures": self.failures[:3],
        }
