"""The hostile side of Scripts/flood: each scenario runs for `duration` seconds, then closes
everything it opened and returns what it saw. Sources are 127.0.0.x addresses ("from many")."""
import asyncio
import random
import socket
import ssl
import time

from client import Client, StreamClosed, tls_context

HEADER = (b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
          b"xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>")


def sources(count):
    """127.0.0.2 … 127.0.0.(count+1): the legitimate users keep 127.0.0.1 to themselves."""
    return [f"127.0.0.{2 + n}" for n in range(count)]


async def raw_connect(port, source):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    sock.bind((source, 0))
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    return await asyncio.open_connection(sock=sock)


class Held:
    """Connections held open; counts how many the server closed, and when."""

    def __init__(self):
        self.opened = self.refused = 0
        self.closed_by_server = []
        self.started = time.monotonic()
        self.writers = []
        self.watchers = []

    def hold(self, reader, writer):
        self.opened += 1
        self.writers.append(writer)
        self.watchers.append(asyncio.create_task(self._watch(reader)))

    async def _watch(self, reader):
        try:
            while await reader.read(4096):
                pass
        except (ConnectionError, OSError):
            pass
        self.closed_by_server.append(time.monotonic() - self.started)

    def close(self):
        for task in self.watchers:
            task.cancel()
        for writer in self.writers:
            writer.transport.abort()

    def stats(self):
        cut = sorted(self.closed_by_server)
        return {"opened": self.opened, "refused": self.refused, "closed_by_server": len(cut),
                "first_cut_s": round(cut[0], 1) if cut else None, "last_cut_s": round(cut[-1], 1) if cut else None}


async def open_many(held, count, port, addresses, prepare=None, parallel=200):
    gate = asyncio.Semaphore(parallel)

    async def one(n):
        async with gate:
            try:
                reader, writer = await raw_connect(port, addresses[n % len(addresses)])
                if prepare:
                    await prepare(reader, writer)
                held.hold(reader, writer)
            except (OSError, asyncio.TimeoutError, StreamClosed):
                held.refused += 1

    await asyncio.gather(*(one(n) for n in range(count)))


def client_hello():
    """The first flight of a real TLS handshake, as bytes."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = tls_context().wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


async def never_send(salon, duration, count=5000):
    held = Held()
    await open_many(held, count, salon.c2s, sources(10))
    await asyncio.sleep(max(0, duration - (time.monotonic() - held.started)))
    held.close()
    return held.stats()


async def half_open_tls(salon, duration, count=1000):
    """Half the connections on the direct TLS port, half after STARTTLS's <proceed/>: each sends
    part of a ClientHello and then nothing."""
    hello = client_hello()
    part = hello[:len(hello) // 2]

    async def direct(reader, writer):
        writer.write(part)

    async def starttls(reader, writer):
        writer.write(HEADER)
        seen = b""
        while b"<proceed" not in seen:
            data = await asyncio.wait_for(reader.read(4096), 30)
            if not data:
                raise StreamClosed("closed before proceed")
            seen += data
        writer.write(part)

    async def starttls_request(reader, writer):
        writer.write(HEADER + b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        await starttls(reader, writer)

    held_direct, held_starttls = Held(), Held()
    addresses = sources(10)
    await asyncio.gather(open_many(held_direct, count // 2, salon.tls, addresses, direct),
                         open_many(held_starttls, count // 2, salon.c2s, addresses, starttls_request))
    await asyncio.sleep(max(0, duration - (time.monotonic() - held_direct.started)))
    held_direct.close()
    held_starttls.close()
    return {"direct_tls": held_direct.stats(), "starttls": held_starttls.stats()}


async def slowloris(salon, duration, count=1000):
    """Each connection sends its stream header one byte a second."""
    held = Held()
    await open_many(held, count, salon.c2s, sources(10))

    async def trickle(writer):
        for byte in HEADER * 4:
            if writer.is_closing():
                return
            writer.write(bytes([byte]))
            await asyncio.sleep(1)

    trickles = [asyncio.create_task(trickle(writer)) for writer in held.writers]
    await asyncio.sleep(max(0, duration - (time.monotonic() - held.started)))
    for task in trickles:
        task.cancel()
    held.close()
    return held.stats()


async def auth_failures(salon, duration, addresses, connections=200):
    """Wrong passwords, over and over: for a real account (dave) and for made-up names. A
    connection the server closes is replaced by a new one."""
    counts = {"attempts": 0, "failures_answered": 0, "refused_unchecked": 0, "streams_closed": 0, "answer_s": []}
    deadline = time.monotonic() + duration

    async def attacker(n):
        while time.monotonic() < deadline:
            client = Client("127.0.0.1", salon.c2s, "localhost", "x", "x", source=addresses[n % len(addresses)])
            try:
                await client.secure(30)
                while time.monotonic() < deadline:
                    user = "dave" if random.random() < 0.5 else f"guess{random.randrange(10**6)}"
                    asked = time.monotonic()
                    counts["attempts"] += 1
                    outcome = await client.try_plain(user, f"wrong{random.randrange(10**6)}", 30)
                    if outcome is True:
                        raise RuntimeError("a wrong password was accepted")
                    if outcome == "temporary-auth-failure":  # too many in progress: not checked
                        counts["refused_unchecked"] += 1
                        await asyncio.sleep(1)
                        continue
                    counts["failures_answered"] += 1
                    counts["answer_s"].append(time.monotonic() - asked)
            except (StreamClosed, OSError, asyncio.TimeoutError, ssl.SSLError):
                counts["streams_closed"] += 1
            finally:
                client.abort()

    tasks = [asyncio.create_task(attacker(n)) for n in range(connections)]
    await asyncio.sleep(duration)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    answers = sorted(counts.pop("answer_s"))
    counts["failure_answer_p50_s"] = round(answers[len(answers) // 2], 2) if answers else None
    counts["failure_answer_max_s"] = round(answers[-1], 2) if answers else None
    return counts


async def stalled_reader(salon, duration, room, password, senders=6, size=4000):
    """eve joins the busy room with a tiny receive buffer and never reads again; six posters
    fill the room as fast as the server lets them (each stream's bytes_per_second)."""
    eve = Client("127.0.0.1", salon.c2s, "localhost", "eve", password, "stalled", receive_buffer=4096)
    await eve.login(15)
    await eve.join(room, "eve", 15)
    eve.task.cancel()  # stop reading: the kernel buffers fill, then the server's queue
    eve.writer.transport.pause_reading()
    posters = []
    for n in range(senders):
        poster = Client("127.0.0.1", salon.c2s, "localhost", f"poster{n}", password, "busy")
        await poster.login(15)
        await poster.join(room, f"poster{n}", 15)
        poster.discard_input()
        posters.append(poster)
    started = time.monotonic()
    text = "x" * size
    posted = 0
    while time.monotonic() - started < duration:
        for poster in posters:
            poster.post(room, f"{posted} {text}")
            posted += 1
        await asyncio.gather(*(p.writer.drain() for p in posters))
        await asyncio.sleep(0.005)
    # Read what eve was sent: a server that cut her off ends with a stream error and EOF.
    eve.writer.transport.resume_reading()
    tail, ended = b"", False
    deadline = time.monotonic() + 30  # the legitimate users may still be talking in the room
    try:
        while time.monotonic() < deadline:
            data = await asyncio.wait_for(eve.reader.read(1 << 20), 10)
            if not data:
                ended = True
                break
            tail = (tail + data)[-4096:]
    except (ConnectionError, ssl.SSLError):
        ended = True
    except asyncio.TimeoutError:
        pass
    for poster in posters:
        await poster.close()
    eve.abort()
    return {"posted": posted, "bytes_posted": posted * size,
            "stalled_reader_closed": ended, "policy_violation_seen": b"policy-violation" in tail}


async def unique_names(salon, duration, password, batch=2000):
    """dave, logged in, sends stanzas whose every element and attribute name is new (in iq
    results nobody asked for, which the server drops): a parser that kept every name it saw
    would grow for as long as this lasts. A ping after each batch paces it."""
    dave = Client("127.0.0.1", salon.c2s, "localhost", "dave", password, "names")
    await dave.login(15)
    started, sent = time.monotonic(), 0
    while time.monotonic() - started < duration:
        dave.send("".join(f"<iq type='result' id='u{sent + i}'><n{sent + i} a{sent + i}='1' xmlns='urn:n:{sent + i}'/></iq>"
                          for i in range(batch)))
        sent += batch
        await dave.ping(60)
    await dave.close()
    return {"unique_names_sent": sent}


SCENARIOS = {
    "never-send": lambda target, duration, args: never_send(target, duration),
    "half-open-tls": lambda target, duration, args: half_open_tls(target, duration),
    "slowloris": lambda target, duration, args: slowloris(target, duration),
    "auth-one": lambda target, duration, args: auth_failures(target, duration, sources(1)),
    "auth-many": lambda target, duration, args: auth_failures(target, duration, sources(50)),
    "stalled-reader": lambda target, duration, args: stalled_reader(target, duration, args.room, args.password),
    "unique-names": lambda target, duration, args: unique_names(target, duration, args.password),
}


def main():
    """Runs one scenario and prints what it saw as JSON. Scripts/flood runs this in a process
    of its own, so the flood's own CPU does not slow the legitimate users it measures."""
    import argparse
    import json
    import types
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--c2s", type=int, required=True)
    parser.add_argument("--tls", type=int, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--room", default="")
    parser.add_argument("--password", default="")
    args = parser.parse_args()
    target = types.SimpleNamespace(c2s=args.c2s, tls=args.tls)
    print(json.dumps(asyncio.run(SCENARIOS[args.scenario](target, args.duration, args))))


if __name__ == "__main__":
    main()
