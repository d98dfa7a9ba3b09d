"""Issue #21 as users meet it: several `salon serve` nodes on one PostgreSQL database serve one
domain. slixmpp clients logged into different nodes chat in one room (order, archive, history,
whichever node owns the room) and with each other (1:1 messages, presence); when a room's owner
is SIGKILLed its room carries on on the node that takes it over: its occupants there stay in it
without rejoining, posts are delivered again, and nothing acknowledged before the kill is
missing from the archive; a node that joins takes its share of rooms."""
import asyncio
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from slixmpp import ClientXMPP, ComponentXMPP

from conftest import COMPONENT, COMPONENT_SECRET, DOMAIN, Salon, free_port, postgresql_environment, psql
from test_rooms import CHAT, cli, muc_client
from test_metrics import scrape, value
from test_pep import befriend, mood_reaches_the_contact_only, pep_client
from test_slixmpp_clients import TIMEOUT, insecure, offline, online, run
from test_stream_management import resumable_client, resume_while_talking
from test_adhoc import command

pytestmark = pytest.mark.skipif(not os.environ.get("SALON_TEST_POSTGRES_URL"),
                                reason="SALON_TEST_POSTGRES_URL is not set (Scripts/test starts a cluster)")

DEAD_AFTER = 3


def room_owner(room: str, nodes: list[str]) -> str:
    """The node owning `room`: RoomPlacement's rendezvous hashing (FNV-1a 64 over node, NUL,
    room, then MurmurHash3's finaliser; the highest score wins, a tie to the greater id)."""
    mask = (1 << 64) - 1

    def weight(node):
        h = 0xCBF29CE484222325
        for byte in node.encode() + b"\0" + room.encode():
            h = ((h ^ byte) * 0x100000001B3) & mask
        h ^= h >> 33
        h = (h * 0xFF51AFD7ED558CCD) & mask
        h ^= h >> 33
        h = (h * 0xC4CEB9FE1A85EC53) & mask
        return h ^ (h >> 33)

    return max(nodes, key=lambda node: (weight(node), node))


class Cluster:
    """Nodes sharing one PostgreSQL schema and one cluster secret, each with its own ports and
    data directory."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="salon-cluster-"))
        secret = self.root / "cluster.secret"
        secret.write_text("interop cluster secret\n")
        secret.chmod(0o600)
        self.env = {**os.environ, **postgresql_environment(), "SALON_CLUSTER_ENABLED": "true",
                    "SALON_CLUSTER_SECRET_FILE": str(secret), "SALON_CLUSTER_DEAD_AFTER": str(DEAD_AFTER)}
        self.nodes: dict[str, Salon] = {}

    def start(self, node_id: str) -> Salon:
        workdir = self.root / node_id
        workdir.mkdir()
        node = Salon(workdir)
        node.env = {**self.env, "SALON_CLUSTER_NODE_ID": node_id, "SALON_CLUSTER_ADDRESS": f"127.0.0.1:{free_port()}"}
        node.start()
        self.nodes[node_id] = node
        self.wait_until(lambda status: f"{len(self.live())} live of" in status[-1])
        return node

    def live(self):
        return [id for id, node in self.nodes.items() if node.process.poll() is None]

    def status(self) -> list[str]:
        any_node = next(iter(self.nodes.values()))
        return cli(any_node, "cluster", "status").splitlines()

    def wait_until(self, ready, deadline=30):
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            status = self.status()
            if ready(status):
                return status
            time.sleep(0.2)
        raise AssertionError("the cluster never got there:\n" + "\n".join(self.status()))

    def kill(self, node_id: str):
        node = self.nodes[node_id]
        node.process.send_signal(signal.SIGKILL)
        node.process.wait(timeout=10)

    def stop(self):
        for node in self.nodes.values():
            node.stop()
        # Shown by pytest when the test failed: what each node logged.
        for node_id, node in self.nodes.items():
            print(f"--- {node_id}:\n{node.output.read_text(errors='replace')[-6000:]}")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture()
def cluster():
    cluster = Cluster()
    yield cluster
    cluster.stop()


def prepare(node: Salon, users: list[str], rooms: list[str]):
    for name in users:
        node.user(name, f"pw-{name}")
    cli(node, "category", "create", "Everyone", "--allow", DOMAIN)
    for room in rooms:
        cli(node, "room", "create", room.title(), "--category", "Everyone", "--jid", room, "--privacy", "open")
    # Every node picks up directory changes within a second.
    time.sleep(1.5)


def two_nodes(cluster: Cluster, users: list[str], rooms=()):
    """node-a and node-b, with `users` and `rooms` made through node-a."""
    a, b = cluster.start("node-a"), cluster.start("node-b")
    prepare(a, users, list(rooms))
    return a, b


def first(xmpp, event: str, accepts):
    """A future holding the first `event` stanza `xmpp` gets that `accepts` takes."""
    future = asyncio.get_running_loop().create_future()
    xmpp.add_event_handler(event, lambda stanza: accepts(stanza) and not future.done() and future.set_result(stanza))
    return future


def rooms_owned(nodes: list[str], count=40):
    """A room owned by each node, among `count` candidates."""
    owned = {}
    for n in range(count):
        owned.setdefault(room_owner(f"room{n}", nodes), f"room{n}")
    assert set(owned) == set(nodes), owned
    return owned


class Listener:
    """The bodies of groupchat messages a client receives from one room, in order."""

    def __init__(self, xmpp, room):
        self.bodies = []
        self.changed = asyncio.Event()

        def received(message):
            if message["type"] == "groupchat" and message["from"].bare == room and message["body"]:
                self.bodies.append(message["body"])
                self.changed.set()

        xmpp.add_event_handler("groupchat_message", received)

    async def until(self, predicate, timeout=TIMEOUT):
        async def wait():
            while not predicate(self.bodies):
                self.changed.clear()
                await self.changed.wait()
        await asyncio.wait_for(wait(), timeout)


async def archive_bodies(xmpp, room):
    """The room's archive as its MAM service answers `xmpp`, oldest first."""
    return [message["mam_result"]["forwarded"]["stanza"]["body"]
            async for message in xmpp.plugin["xep_0313"].iterate(jid=room, rsm={"max": 50})]


def test_users_on_two_nodes_chat_in_rooms_each_node_owns(cluster):
    owned = rooms_owned(["node-a", "node-b"])
    a, b = two_nodes(cluster, ["ann", "bob", "cat"], owned.values())

    async def scenario():
        ann = await muc_client(a, "ann")
        bob = await muc_client(b, "bob")
        for room in owned.values():
            jid = f"{room}@{CHAT}"
            ann_hears, bob_hears = Listener(ann, jid), Listener(bob, jid)
            await ann.plugin["xep_0045"].join_muc_wait(jid, "Ann", maxstanzas=0, timeout=TIMEOUT)
            presence, *_ = await bob.plugin["xep_0045"].join_muc_wait(jid, "Bob", maxstanzas=0, timeout=TIMEOUT)
            assert 110 in presence["muc"]["status_codes"]
            expected = []
            for n in range(10):
                sender, name = (ann, "ann") if n % 2 == 0 else (bob, "bob")
                sender.send_message(mto=jid, mbody=f"{room} {name} {n}", mtype="groupchat")
                expected.append(f"{room} {name} {n}")
            # Each sender's posts keep their order; both see the room's one order.
            await ann_hears.until(lambda bodies: len(bodies) >= 10)
            await bob_hears.until(lambda bodies: len(bodies) >= 10)
            assert ann_hears.bodies == bob_hears.bodies
            for name in ("ann", "bob"):
                assert [m for m in ann_hears.bodies if f" {name} " in m] == [m for m in expected if f" {name} " in m]
            # History on join, on the node that does not own the room as on the one that does.
            cat = await muc_client(b if owned["node-a"] == room else a, "cat")
            _, _, occupants, history = await cat.plugin["xep_0045"].join_muc_wait(jid, "Cat", maxstanzas=4, timeout=TIMEOUT)
            assert [m["body"] for m in history] == ann_hears.bodies[-4:]
            assert {"Ann", "Bob"} <= {p["from"].resource for p in occupants}
            await offline(cat)
        # Each node's /metrics shows the cluster as it sees it.
        samples = scrape(a)
        assert value(samples, "salon_cluster_nodes_live") == 2
        assert value(samples, "salon_cluster_link_up", peer="node-b") == 1
        assert value(samples, "salon_cluster_link_frames_sent", peer="node-b") > 0
        assert value(samples, "salon_cluster_remote_sessions") >= 1
        await offline(ann, bob)

    run(scenario())


async def occupants_recorded(cluster: Cluster, room_jid: str, count: int):
    """Waits until the room's owner has recorded `count` occupant sessions in the cluster
    database: it writes them a moment after its occupants change, and a new owner learns from
    that record who was seated on a node that died."""
    url, schema = cluster.env["SALON_STORAGE_POSTGRESQL_URL"].split("?schema=")
    room = room_jid.split("@")[0]
    query = f"SELECT count(*) FROM {schema}.room_occupants WHERE room = '{room}'"
    end = time.monotonic() + TIMEOUT
    while True:
        if int(psql(url, query).strip()) >= count:
            return
        assert time.monotonic() < end, f"the owner of {room} never recorded {count} occupants"
        await asyncio.sleep(0.1)


def two_nodes_and_a_room_on_the_first(cluster, users):
    """node-a and node-b, `users`, and a room node-a owns (its JID)."""
    room = rooms_owned(["node-a", "node-b"])["node-a"]
    a, b = two_nodes(cluster, users, [room])
    return a, b, f"{room}@{CHAT}"


def test_a_killed_owner_s_room_carries_on_on_the_survivor(cluster):
    a, b, jid = two_nodes_and_a_room_on_the_first(cluster, ["dan", "eve", "flo"])

    async def scenario():
        # flo is on the node that dies: its client reconnects to the survivor.
        flo = await muc_client(a, "flo")
        await flo.plugin["xep_0045"].join_muc_wait(jid, "Flo", maxstanzas=0, timeout=TIMEOUT)
        dan = await muc_client(b, "dan")
        eve = await muc_client(b, "eve")
        for xmpp in (dan, eve):
            xmpp.register_plugin("xep_0313")
        eve_hears = Listener(eve, jid)
        await dan.plugin["xep_0045"].join_muc_wait(jid, "Dan", maxstanzas=0, timeout=TIMEOUT)
        await eve.plugin["xep_0045"].join_muc_wait(jid, "Eve", maxstanzas=0, timeout=TIMEOUT)
        before = [f"before {n}" for n in range(20)]
        for body in before:
            dan.send_message(mto=jid, mbody=body, mtype="groupchat")
        await eve_hears.until(lambda bodies: bodies[-1:] == before[-1:])
        assert eve_hears.bodies == before
        departures = []
        eve.add_event_handler("groupchat_presence",
                              lambda p: p["type"] == "unavailable" and p["from"].bare == jid and departures.append(p))
        flo_gone = first(eve, "groupchat_presence",
                         lambda p: p["from"].bare == jid and p["from"].resource == "Flo" and p["type"] == "unavailable")

        # The kill comes after the owner recorded its occupants (within a second of a change).
        await occupants_recorded(cluster, jid, 3)
        killed = time.monotonic()
        cluster.kill("node-a")
        # Posts go again once node-b owns the room: keep posting until one comes back.
        attempt = 0
        while True:
            attempt += 1
            dan.send_message(mto=jid, mbody=f"after {attempt}", mtype="groupchat")
            try:
                await eve_hears.until(lambda bodies: any(b.startswith("after ") for b in bodies), timeout=0.5)
                break
            except asyncio.TimeoutError:
                assert time.monotonic() - killed < 30, "the room never posted again"
        print(f"\nfailover: the room posted again {time.monotonic() - killed:.2f} s after its owner was killed")
        # Flo, whose node died with the room's owner, is gone for eve (the new owner read who was
        # in the room); eve and dan, rejoined by their node, never left.
        left = await asyncio.wait_for(flo_gone, TIMEOUT)
        assert 333 in left["muc"]["status_codes"]
        assert [p["from"].resource for p in departures] == ["Flo"]
        # Everything acknowledged before the kill is in the archive, once each, in order.
        archived = await archive_bodies(eve, jid)
        assert archived[:len(before)] == before
        assert len(set(archived)) == len(archived)
        # flo's client lost its node (it stops trying it); logged in again on the survivor, it
        # rejoins with history.
        flo.abort()
        flo = await muc_client(b, "flo")
        _, _, _, history = await flo.plugin["xep_0045"].join_muc_wait(jid, "Flo", maxstanzas=3, timeout=TIMEOUT)
        assert [m["body"] for m in history] == archived[-3:]
        await offline(dan, eve, flo)

    run(scenario())
    status = cluster.status()
    assert any(line.split()[0] == "node-a" and "dead" in line for line in status[1:-1]), status


def leases(status: list[str]) -> dict[str, int]:
    """Room leases held per node, from `salon cluster status`."""
    return {line.split()[0]: int(line.split()[-1]) for line in status[1:-1]}


def test_a_joining_node_takes_over_its_share_of_rooms(cluster):
    moving = next(f"room{n}" for n in range(100)
                  if room_owner(f"room{n}", ["node-a", "node-b"]) == "node-a"
                  and room_owner(f"room{n}", ["node-a", "node-b", "node-c"]) == "node-c")
    jid = f"{moving}@{CHAT}"
    a, b = two_nodes(cluster, ["hal", "ida"], [moving])

    async def scenario():
        hal = await muc_client(a, "hal")
        ida = await muc_client(b, "ida")
        hal.register_plugin("xep_0313")
        ida_hears = Listener(ida, jid)
        # What ida's client sees of joining: once, not again when the room moves.
        ida_joins, ida_subjects = [], []
        ida.add_event_handler("groupchat_presence", lambda p: p["from"].bare == jid
                              and 110 in p["muc"]["status_codes"] and ida_joins.append(p))
        ida.add_event_handler("groupchat_subject", lambda m: m["from"].bare == jid and ida_subjects.append(m))
        await hal.plugin["xep_0045"].join_muc_wait(jid, "Hal", maxstanzas=0, timeout=TIMEOUT)
        await ida.plugin["xep_0045"].join_muc_wait(jid, "Ida", maxstanzas=0, timeout=TIMEOUT)
        hal.send_message(mto=jid, mbody="on node-a", mtype="groupchat")
        await ida_hears.until(lambda bodies: bodies == ["on node-a"])
        assert leases(cluster.status()).get("node-a") == 1
        # node-c holds posts until the occupants node-a recorded have joined it again.
        await occupants_recorded(cluster, jid, 2)

        cluster.start("node-c")
        # node-c takes the room's lease once it serves the room's next stanza.
        attempt = 0
        while not ida_hears.bodies[-1].startswith("on node-c"):
            attempt += 1
            hal.send_message(mto=jid, mbody=f"on node-c {attempt}", mtype="groupchat")
            await ida_hears.until(lambda bodies: bodies[-1] == f"on node-c {attempt}" or len(bodies) > 20, timeout=5)
        assert ida_hears.bodies == ["on node-a"] + [f"on node-c {n}" for n in range(1, attempt + 1)]
        assert (len(ida_joins), len(ida_subjects)) == (1, 1)
        held = leases(cluster.status())
        assert held.get("node-c") == 1 and held.get("node-a", 0) == 0, held
        archived = await archive_bodies(hal, jid)
        assert archived == ida_hears.bodies
        await offline(hal, ida)

    run(scenario())


def test_occupants_of_a_killed_node_leave_its_peers_rooms_with_status_333(cluster):
    a, b, jid = two_nodes_and_a_room_on_the_first(cluster, ["fay", "gus"])

    async def scenario():
        fay = await muc_client(a, "fay")
        gus = await muc_client(b, "gus")
        gone = first(fay, "groupchat_presence",
                     lambda p: p["from"].bare == jid and p["from"].resource == "Gus" and p["type"] == "unavailable")
        await fay.plugin["xep_0045"].join_muc_wait(jid, "Fay", maxstanzas=0, timeout=TIMEOUT)
        await gus.plugin["xep_0045"].join_muc_wait(jid, "Gus", maxstanzas=0, timeout=TIMEOUT)
        cluster.kill("node-b")
        left = await asyncio.wait_for(gone, TIMEOUT)
        assert 333 in left["muc"]["status_codes"]
        await offline(fay)

    run(scenario())


def client(name: str):
    """A client for `name`, not connected yet: handlers set on it now see everything that arrives."""
    xmpp = ClientXMPP(f"{name}@{DOMAIN}/elsewhere", f"pw-{name}")
    insecure(xmpp)
    xmpp.enable_direct_tls = False
    xmpp.register_plugin("xep_0199")
    return xmpp


async def log_in(xmpp, node: Salon):
    """Connects `xmpp` to `node` and waits for its session; it has not sent presence yet."""
    started = first(xmpp, "session_start", lambda _: True)
    xmpp.connect("127.0.0.1", node.c2s)
    await asyncio.wait_for(started, TIMEOUT)
    return xmpp


def test_contacts_on_different_nodes_see_each_other_and_talk(cluster):
    a, b = two_nodes(cluster, ["jay", "kim"])

    async def scenario():
        # Contacts made on one node; the roster is in the shared database.
        jay, kim = await online(a, "jay"), await online(a, "kim")
        await befriend(jay, kim)
        await offline(jay, kim)

        jay = await online(a, "jay")
        jay_sees_kim = first(jay, "presence_available", lambda p: p["from"].bare == f"kim@{DOMAIN}")
        kim = client("kim")
        kim_sees_jay = first(kim, "presence_available", lambda p: p["from"].bare == f"jay@{DOMAIN}")
        await log_in(kim, b)
        await kim.get_roster()
        kim.send_presence(pstatus="on node-b")
        # kim's login on node-b probes jay, available on node-a; jay hears kim come online.
        assert (await asyncio.wait_for(kim_sees_jay, TIMEOUT))["from"] == jay.boundjid
        assert (await asyncio.wait_for(jay_sees_kim, TIMEOUT))["status"] == "on node-b"

        inbox = {name: asyncio.Queue() for name in ("jay", "kim")}
        for name, xmpp in (("jay", jay), ("kim", kim)):
            xmpp.add_event_handler("message", lambda m, name=name: m["body"] and inbox[name].put_nowait(m))
        # To the bare JID (the server picks the resource) and to the full JID, both ways.
        jay.send_message(mto=f"kim@{DOMAIN}", mbody="bare to node-b", mtype="chat")
        kim.send_message(mto=jay.boundjid, mbody="full to node-a", mtype="chat")
        to_kim = await asyncio.wait_for(inbox["kim"].get(), TIMEOUT)
        to_jay = await asyncio.wait_for(inbox["jay"].get(), TIMEOUT)
        assert (to_kim["body"], to_kim["from"]) == ("bare to node-b", jay.boundjid)
        assert (to_jay["body"], to_jay["from"]) == ("full to node-a", kim.boundjid)
        # kim goes: jay sees it, and a message to kim waits offline for the next login.
        gone = first(jay, "presence_unavailable", lambda p: p["from"].bare == f"kim@{DOMAIN}")
        await offline(kim)
        await asyncio.wait_for(gone, TIMEOUT)
        jay.send_message(mto=f"kim@{DOMAIN}", mbody="while away", mtype="chat")
        await jay.plugin["xep_0199"].ping(jid=DOMAIN, timeout=TIMEOUT)
        kim_inbox = asyncio.Queue()
        kim = client("kim")
        kim.add_event_handler("message", lambda m: m["body"] and kim_inbox.put_nowait(m["body"]))
        await log_in(kim, b)
        await kim.get_roster()
        kim.send_presence()
        assert await asyncio.wait_for(kim_inbox.get(), TIMEOUT) == "while away"
        await offline(jay, kim)

    run(scenario())


def test_a_killed_node_s_users_go_unavailable_for_their_contacts(cluster):
    a, b = two_nodes(cluster, ["lea", "max"])

    async def scenario():
        lea, max_ = await online(a, "lea"), await online(a, "max")
        await befriend(lea, max_)
        await offline(max_)
        sees_max = first(lea, "presence_available", lambda p: p["from"].bare == f"max@{DOMAIN}")
        max_gone = first(lea, "presence_unavailable", lambda p: p["from"].bare == f"max@{DOMAIN}" and sees_max.done())
        max_ = await online(b, "max")
        await asyncio.wait_for(sees_max, TIMEOUT)
        cluster.kill("node-b")
        # node-b said nothing; node-a tells max's contacts once it declares node-b dead.
        gone = await asyncio.wait_for(max_gone, TIMEOUT)
        assert gone["from"] == max_.boundjid
        max_.abort()
        await offline(lea)

    run(scenario())


def test_carbons_reach_an_account_s_resources_on_other_nodes(cluster):
    a, b = two_nodes(cluster, ["nia", "oli"])

    async def scenario():
        carbons = {"received": asyncio.Queue(), "sent": asyncio.Queue()}
        desk = client("nia")
        desk.register_plugin("xep_0280")
        desk.add_event_handler("carbon_received", lambda m: carbons["received"].put_nowait(m))
        desk.add_event_handler("carbon_sent", lambda m: carbons["sent"].put_nowait(m))
        await log_in(desk, b)
        await desk.plugin["xep_0280"].enable()
        desk.send_presence()
        phone = await online(a, "nia")
        oli = await online(a, "oli")
        oli_inbox = asyncio.Queue()
        oli.add_event_handler("message", lambda m: m["body"] and oli_inbox.put_nowait(m["body"]))
        await desk.plugin["xep_0199"].ping(jid=DOMAIN, timeout=TIMEOUT)
        # To the phone on node-a: the desk on node-b gets a <received/> copy.
        oli.send_message(mto=phone.boundjid, mbody="to the phone", mtype="chat")
        received = await asyncio.wait_for(carbons["received"].get(), TIMEOUT)
        assert received["carbon_received"]["body"] == "to the phone"
        assert received["from"] == f"nia@{DOMAIN}"
        # From the phone on node-a: the desk gets a <sent/> copy.
        phone.send_message(mto=oli.boundjid, mbody="from the phone", mtype="chat")
        assert await asyncio.wait_for(oli_inbox.get(), TIMEOUT) == "from the phone"
        sent = await asyncio.wait_for(carbons["sent"].get(), TIMEOUT)
        assert sent["carbon_sent"]["body"] == "from the phone"
        await offline(desk, phone, oli)

    run(scenario())


def test_contacts_on_different_nodes_subscribe_to_each_other(cluster):
    a, b = two_nodes(cluster, ["pam", "quo"])

    async def scenario():
        pam, quo = await online(a, "pam"), await online(b, "quo")
        # Directed presence to a bare JID reaches the account's resources on the other node.
        directed = first(quo, "presence_available", lambda p: p["from"] == pam.boundjid and p["status"] == "hello there")
        pam.send_presence(pto=f"quo@{DOMAIN}", pstatus="hello there")
        await asyncio.wait_for(directed, TIMEOUT)
        # The whole handshake across nodes: requests, approvals and roster pushes (slixmpp answers).
        await befriend(pam, quo)
        # quo's node learnt the new roster with the pushes: quo's presence now reaches pam.
        update = first(pam, "presence_available", lambda p: p["from"] == quo.boundjid and p["status"] == "after")
        quo.send_presence(pstatus="after")
        await asyncio.wait_for(update, TIMEOUT)
        await offline(pam, quo)

    run(scenario())


def test_a_session_resumes_on_another_node_losing_and_repeating_nothing(cluster):
    owned = rooms_owned(["node-a", "node-b"])
    a, b = two_nodes(cluster, ["kim", "lou"], owned.values())
    rooms = [f"{room}@{CHAT}" for room in owned.values()]

    async def scenario():
        loop = asyncio.get_running_loop()
        # kim's connection to node-a dies; its client reconnects to node-b and resumes there.
        kim = await resumable_client(a, "kim")
        lou = await muc_client(b, "lou")
        kim_left = []
        for jid in rooms:
            await kim.plugin["xep_0045"].join_muc_wait(jid, "Kim", maxstanzas=0, timeout=TIMEOUT)
            await lou.plugin["xep_0045"].join_muc_wait(jid, "Lou", maxstanzas=0, timeout=TIMEOUT)
            lou.add_event_handler(f"muc::{jid}::got_offline", kim_left.append)
        heard = {jid: [] for jid in rooms}
        total = 40
        everything = loop.create_future()

        def groupchat(message):
            if message["mucnick"] == "Lou":
                heard[message["from"].bare].append(message["body"])
                if all(len(bodies) >= total for bodies in heard.values()) and not everything.done():
                    everything.set_result(True)
        kim.add_event_handler("groupchat_message", groupchat)

        async def talk():
            for n in range(total):
                for jid in rooms:
                    lou.send_message(mto=jid, mbody=f"post {n}", mtype="groupchat")
                await asyncio.sleep(0.02)

        await resume_while_talking(kim, b.c2s, talk)
        await asyncio.wait_for(everything, TIMEOUT)
        for jid in rooms:
            # A round trip to each room first: anything repeated would have arrived by then.
            await kim.plugin["xep_0030"].get_info(jid=jid, timeout=TIMEOUT)
            assert heard[jid] == [f"post {n}" for n in range(total)], jid
        # The rooms never saw kim leave, and 1:1 messages reach the resumed session.
        for jid in rooms:
            await lou.plugin["xep_0030"].get_info(jid=jid, timeout=TIMEOUT)
        assert kim_left == []
        direct = first(kim, "message", lambda m: m["type"] == "chat" and m["body"] == "still there?")
        lou.send_message(mto=kim.boundjid.full, mbody="still there?", mtype="chat")
        await asyncio.wait_for(direct, TIMEOUT)
        await offline(kim, lou)

    run(scenario())


def sessions(status: list[str]) -> dict[str, int]:
    """Client sessions recorded per node, from `salon cluster status`."""
    return {line.split()[0]: int(line.split()[-2]) for line in status[1:-1]}


def test_sessions_are_recorded_per_node_and_a_replaced_resource_stays_reachable(cluster):
    a, b = two_nodes(cluster, ["max", "ned"])
    cli(a, "admin", "add", f"max@{DOMAIN}", "--role", "server")
    time.sleep(1.5)

    async def scenario():
        first_max = await log_in(client("max"), a)
        ned = await log_in(client("ned"), b)
        cluster.wait_until(lambda status: sessions(status) == {"node-a": 1, "node-b": 1})
        # The same resource bound again on node-a replaces the first session; node-b still
        # reaches the new one at that full JID.
        replaced = first(first_max, "disconnected", lambda _: True)
        second_max = await log_in(client("max"), a)
        await asyncio.wait_for(replaced, TIMEOUT)
        await asyncio.sleep(0.5)
        arrived = first(second_max, "message", lambda m: m["body"] == "to the new session")
        ned.send_message(mto=f"max@{DOMAIN}/elsewhere", mbody="to the new session", mtype="chat")
        await asyncio.wait_for(arrived, TIMEOUT)
        cluster.wait_until(lambda status: sessions(status) == {"node-a": 1, "node-b": 1})
        # Server administration on node-a sees, and reaches, the whole cluster's users.
        for plugin in ("xep_0004", "xep_0050"):
            second_max.register_plugin(plugin)
        listed = await command(second_max, "http://jabber.org/protocol/admin#get-online-users-list", {"max_items": "100"}, jid=DOMAIN)
        assert set(listed["form"]["values"]["onlineuserjids"]) == {f"max@{DOMAIN}", f"ned@{DOMAIN}"}
        headline = first(ned, "message", lambda m: m["type"] == "headline" and m["body"] == "maintenance tonight")
        await command(second_max, "http://jabber.org/protocol/admin#announce", {"announcement": ["maintenance tonight"]}, jid=DOMAIN)
        await asyncio.wait_for(headline, TIMEOUT)
        cluster.kill("node-b")
        # The survivor forgets a dead node's sessions once it declares it dead.
        cluster.wait_until(lambda status: sessions(status).get("node-b", 0) == 0 and sessions(status)["node-a"] == 1)
        await offline(second_max)
        cluster.wait_until(lambda status: sessions(status).get("node-a", 0) == 0)

    run(scenario())


def test_a_component_on_one_node_serves_users_of_every_node(cluster):
    a, b = two_nodes(cluster, ["oli"])

    async def scenario():
        # The bot connects to node-a; oli, on node-b, talks to it and gets its answers.
        bot = ComponentXMPP(COMPONENT, COMPONENT_SECRET, "127.0.0.1", a.component)
        ready = first(bot, "session_start", lambda _: True)
        bot.add_event_handler("message", lambda m: m["body"].startswith("ping") and bot.send_message(
            mto=m["from"], mfrom=m["to"], mbody="pong " + m["body"], mtype="chat"))
        bot.connect()
        await asyncio.wait_for(ready, TIMEOUT)
        oli = await log_in(client("oli"), b)
        answer = first(oli, "message", lambda m: m["body"] == "pong ping 1")
        # node-b learns of the component over its link; until then it says it is not connected.
        deadline = time.monotonic() + TIMEOUT
        while not answer.done():
            assert time.monotonic() < deadline, "the component on node-a never answered a user of node-b"
            oli.send_message(mto=f"helper@{COMPONENT}", mbody="ping 1", mtype="chat")
            await asyncio.sleep(0.3)
        assert (await answer)["from"] == f"helper@{COMPONENT}"
        # Gone from node-a: node-b says so again.
        bot.disconnect()
        refused = first(oli, "message", lambda m: m["type"] == "error" and m["from"].domain == COMPONENT)
        await asyncio.sleep(1)
        oli.send_message(mto=f"helper@{COMPONENT}", mbody="ping 2", mtype="chat")
        assert (await asyncio.wait_for(refused, TIMEOUT))["error"]["condition"] == "service-unavailable"
        await offline(oli)

    run(scenario())


def test_a_contact_on_another_node_gets_pep_notifications(cluster):
    a, b = two_nodes(cluster, ["pat", "ray", "sol"])

    async def scenario():
        # pat publishes on node-a; ray, a contact on node-b, shows mood+notify in its caps, which
        # only node-b resolved; sol on node-b is interested too but no contact.
        pat = await pep_client(a, "pat")
        ray = await pep_client(b, "ray")
        sol = await pep_client(b, "sol")
        await befriend(pat, ray)
        await mood_reaches_the_contact_only(pat, ray, sol, "across nodes")
        await offline(pat, ray, sol)

    run(scenario())
