"""The load of one Scripts/soak round: posters in several rooms, a client joining and leaving,
uploads (XEP-0363 slot, then HTTP PUT) and administrative edits through the CLI. Everything a
client was told is recorded, so the check after the kill knows what must have survived."""
import asyncio
import hashlib
import http.client
import os
import random
import ssl
import threading
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from client import Client, StreamClosed, body, next_id, stanza_id
from server import CHAT, DOMAIN, UPLOAD

UPLOAD_NS = "urn:xmpp:http:upload:0"
ROOMS = [f"soak{n}@{CHAT}" for n in range(4)]
POSTERS = [f"poster{n}" for n in range(4)]
PASSWORD = "soak-password"


class Ledger:
    """What the clients saw, across rounds."""

    def __init__(self):
        self.received = []   # (client, room, stanza-id, body) in arrival order per client
        self.rooms = {}      # localpart -> {"member": set, "manager": set}, acknowledged by the CLI
        self.files = {}      # slot id -> (sha256, size), the PUT answered 201


class Round:
    def __init__(self, salon, ledger, number, rng):
        self.salon, self.ledger, self.number, self.rng = salon, ledger, number, rng
        self.clients = []
        self.tasks = []
        self.posted = 0
        self.errors = []
        self.cli_lock = threading.Lock()  # a CLI edit in flight when the round stops is waited for

    def client(self, user, resource):
        c = Client("127.0.0.1", self.salon.c2s, DOMAIN, user, PASSWORD, resource)
        self.clients.append(c)
        return c

    async def start(self):
        for name in POSTERS:
            self.tasks.append(asyncio.create_task(self._poster(name)))
        self.tasks.append(asyncio.create_task(self._wanderer()))
        self.tasks.append(asyncio.create_task(self._uploader()))
        self.tasks.append(asyncio.create_task(self._administrator()))

    async def _guard(self, what, work):
        try:
            await work
        except (StreamClosed, ConnectionError, OSError, asyncio.TimeoutError, ssl.SSLError):
            pass  # the kill came: expected
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a real failure of the script or the server's answers
            self.errors.append(f"{what}: {error!r}")

    async def _poster(self, name):
        async def work():
            client = self.client(name, f"r{self.number}")
            await client.login(20)
            for room in ROOMS:
                await client.join(room, name, 20)
            listener = asyncio.create_task(self._listen(client, name))
            try:
                for n in range(100000):
                    client.post(self.rng.choice(ROOMS), f"soak r{self.number} {name} {n}")
                    self.posted += 1
                    await asyncio.sleep(self.rng.uniform(0.005, 0.05))
            finally:
                listener.cancel()
        await self._guard(name, work())

    async def _listen(self, client, name):
        while True:
            _, message = await client.messages.get()
            if message.get("type") != "groupchat" or body(message) is None:
                continue
            room = message.get("from", "").split("/")[0]
            sid = stanza_id(message, room)
            if sid is None:
                self.errors.append(f"{name}: a groupchat message without the room's stanza-id")
                continue
            self.ledger.received.append((name, room, sid, body(message)))

    async def _wanderer(self):
        async def work():
            client = self.client("wanderer", f"r{self.number}")
            await client.login(20)
            while True:
                room = self.rng.choice(ROOMS)
                await client.join(room, "wanderer", 20)
                await client.ping(20)
                client.leave(room, "wanderer")
                await asyncio.sleep(self.rng.uniform(0.05, 0.2))
        await self._guard("wanderer", work())

    async def _uploader(self):
        async def work():
            client = self.client("uploader", f"r{self.number}")
            await client.login(20)
            while True:
                data = os.urandom(self.rng.randrange(1, 64 * 1024))
                iq_id = next_id("slot")
                answer = await client.iq(
                    f"<iq type='get' id='{iq_id}' to='{UPLOAD}'><request xmlns='{UPLOAD_NS}' "
                    f"filename='r{self.number}.bin' size='{len(data)}' content-type='application/octet-stream'/></iq>",
                    iq_id, 20)
                if answer.get("type") != "result":
                    await asyncio.sleep(1)  # slots per minute: wait for the bucket
                    continue
                put = answer.find(f"{{{UPLOAD_NS}}}slot/{{{UPLOAD_NS}}}put")
                status = await asyncio.to_thread(self._put, put.get("url"), data)
                if status == 201:
                    slot = urlsplit(put.get("url")).path.split("/")[2]
                    self.ledger.files[slot] = (hashlib.sha256(data).hexdigest(), len(data))
                await asyncio.sleep(self.rng.uniform(0.1, 0.5))
        await self._guard("uploader", work())

    def _put(self, url, data):
        parts = urlsplit(url)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", self.salon.http, context=context, timeout=20)
        try:
            connection.request("PUT", parts.path + "?" + parts.query, body=data,
                               headers={"Content-Type": "application/octet-stream", "Host": parts.netloc})
            return connection.getresponse().status
        finally:
            connection.close()

    def _cli(self, *args):
        with self.cli_lock:
            self.salon.cli(*args)

    async def _administrator(self):
        """Creates a room with a member and a manager, then adds a member to an older one."""
        async def work():
            for k in range(1000):
                local = f"admin-r{self.number}-{k}"
                member, manager = self.rng.sample(POSTERS, 2)
                await asyncio.to_thread(self._cli, "room", "create", local, "--category", "Soak", "--jid", local,
                                        "--privacy", "closed", "--member", f"{member}@{DOMAIN}",
                                        "--manager", f"{manager}@{DOMAIN}")
                self.ledger.rooms[local] = {"member": {f"{member}@{DOMAIN}"}, "manager": {f"{manager}@{DOMAIN}"}}
                older = self.rng.choice(list(self.ledger.rooms))
                extra = self.rng.choice(POSTERS)
                await asyncio.to_thread(self._cli, "room", "set", older, "--member", f"{extra}@{DOMAIN}")
                self.ledger.rooms[older]["member"].add(f"{extra}@{DOMAIN}")
                await asyncio.sleep(self.rng.uniform(0.2, 1))
        await self._guard("administrator", work())

    async def stop(self):
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for client in self.clients:
            client.abort()
        await asyncio.to_thread(self.cli_lock.acquire)
        self.cli_lock.release()
