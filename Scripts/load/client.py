"""A small asyncio XMPP client for Scripts/flood and Scripts/soak: STARTTLS or direct TLS, SASL
PLAIN, bind, room joins, messages and iq, with the stanza-ids a room stamps on what it sends.
Standard library only; XML is read with ElementTree's pull parser, one stanza at a time."""
import asyncio
import base64
import itertools
import socket
import ssl
import time
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

STREAMS = "http://etherx.jabber.org/streams"
CLIENT = "jabber:client"
TLS_NS = "urn:ietf:params:xml:ns:xmpp-tls"
SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
BIND = "urn:ietf:params:xml:ns:xmpp-bind"
MUC = "http://jabber.org/protocol/muc"
SID = "urn:xmpp:sid:0"

_ids = itertools.count(1)


def next_id(prefix="q"):
    return f"{prefix}{next(_ids)}"


_contexts = {}


def tls_context(alpn=None):
    """Loopback only: the server's certificate is self-signed. Made once (a default context
    loads the system's CA certificates, far slower than a handshake)."""
    if alpn not in _contexts:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        if alpn:
            context.set_alpn_protocols([alpn])
        _contexts[alpn] = context
    return _contexts[alpn]


class StreamClosed(Exception):
    pass


class StanzaReader:
    """Turns bytes into top-level stanzas (depth 1 below the stream element)."""

    def __init__(self):
        self.parser = ET.XMLPullParser(events=("start", "end"))
        self.depth = 0
        self.root = None
        self.closed = False

    def feed(self, data):
        self.parser.feed(data)
        out = []
        for event, element in self.parser.read_events():
            if event == "start":
                self.depth += 1
                if self.depth == 1:
                    self.root = element
            else:
                self.depth -= 1
                if self.depth == 1:
                    out.append(element)
                    self.root.remove(element)  # a long stream must not keep every stanza
                elif self.depth == 0:
                    self.closed = True
        return out


def _open_header(domain):
    return (f"<?xml version='1.0'?><stream:stream xmlns='{CLIENT}' xmlns:stream='{STREAMS}' "
            f"to='{domain}' version='1.0'>").encode()


class Client:
    """One logged-in session. `messages` receives every <message/> as (arrival time, element)."""

    def __init__(self, host, port, domain, user, password, resource="load", direct_tls=False,
                 source=None, receive_buffer=None):
        self.host, self.port, self.domain = host, port, domain
        self.user, self.password, self.resource = user, password, resource
        self.direct_tls, self.source, self.receive_buffer = direct_tls, source, receive_buffer
        self.jid = None
        self.reader = self.writer = None
        self.stanzas = StanzaReader()
        self.pending = []
        self.iq_waiters = {}
        self.messages = asyncio.Queue()
        self.presences = asyncio.Queue()
        self.task = None
        self.closed = asyncio.Event()
        self.error = None

    async def _connect_socket(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        if self.receive_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.receive_buffer)
        if self.source:
            sock.bind((self.source, 0))
        await asyncio.get_running_loop().sock_connect(sock, (self.host, self.port))
        if self.direct_tls:
            return await asyncio.open_connection(sock=sock, ssl=tls_context("xmpp-client"), server_hostname=self.domain)
        return await asyncio.open_connection(sock=sock)

    async def _read_stanza(self, timeout):
        deadline = time.monotonic() + timeout
        while not self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise asyncio.TimeoutError("no stanza")
            data = await asyncio.wait_for(self.reader.read(65536), left)
            if not data:
                raise StreamClosed("connection closed during negotiation")
            self.pending.extend(self.stanzas.feed(data))
        return self.pending.pop(0)

    async def _restart(self, timeout):
        self.stanzas = StanzaReader()
        self.pending = []
        self.writer.write(_open_header(self.domain))
        features = await self._read_stanza(timeout)
        if features.tag == f"{{{STREAMS}}}error":
            raise StreamClosed("stream error: " + ",".join(c.tag.split("}")[1] for c in features))
        return features

    async def secure(self, timeout=30):
        """Connects and gets to TLS (STARTTLS unless direct); returns the stream features."""
        self.reader, self.writer = await asyncio.wait_for(self._connect_socket(), timeout)
        features = await self._restart(timeout)
        if not self.direct_tls:
            self.writer.write(f"<starttls xmlns='{TLS_NS}'/>".encode())
            answer = await self._read_stanza(timeout)
            if answer.tag != f"{{{TLS_NS}}}proceed":
                raise StreamClosed("starttls refused")
            await asyncio.wait_for(self.writer.start_tls(tls_context(), server_hostname=self.domain), timeout)
            features = await self._restart(timeout)
        return features

    async def try_plain(self, user, password, timeout=30):
        """One SASL PLAIN attempt: True on success, else the <failure/>'s condition (a string,
        never true-ish); raises when the stream ends."""
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        self.writer.write(f"<auth xmlns='{SASL}' mechanism='PLAIN'>{token}</auth>".encode())
        answer = await self._read_stanza(timeout)
        if answer.tag == f"{{{SASL}}}success":
            return True
        if answer.tag == f"{{{SASL}}}failure":
            return "".join(c.tag.split("}")[1] for c in answer if c.tag != f"{{{SASL}}}text") or "failure"
        raise StreamClosed("stream error: " + ",".join(c.tag.split("}")[1] for c in answer))

    async def login(self, timeout=30):
        """Connects, authenticates and binds; returns the seconds it took."""
        started = time.monotonic()
        await self.secure(timeout)
        outcome = await self.try_plain(self.user, self.password, timeout)
        if outcome is not True:
            raise StreamClosed(f"authentication failed: {outcome}")
        await self._restart(timeout)
        iq = next_id("bind")
        self.writer.write(f"<iq type='set' id='{iq}'><bind xmlns='{BIND}'><resource>"
                          f"{escape(self.resource)}</resource></bind></iq>".encode())
        result = await self._read_stanza(timeout)
        if result.get("type") != "result":
            raise StreamClosed("bind failed")
        self.jid = result.findtext(f"{{{BIND}}}bind/{{{BIND}}}jid")
        self.task = asyncio.create_task(self._run())
        return time.monotonic() - started

    async def _run(self):
        for stanza in self.pending:
            self._dispatch(stanza)
        self.pending = []
        try:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    break
                now = time.monotonic()
                for stanza in self.stanzas.feed(data):
                    self._dispatch(stanza, now)
                if self.stanzas.closed:
                    break
        except (ConnectionError, ssl.SSLError, ET.ParseError) as error:
            self.error = error
        finally:
            self.closed.set()
            for waiter in self.iq_waiters.values():
                if not waiter.done():
                    waiter.set_exception(StreamClosed("stream closed"))

    def _dispatch(self, stanza, now=None):
        now = now or time.monotonic()
        tag = stanza.tag.split("}")[-1]
        if tag == "iq" and stanza.get("type") in ("result", "error"):
            waiter = self.iq_waiters.pop(stanza.get("id"), None)
            if waiter and not waiter.done():
                waiter.set_result(stanza)
        elif tag == "iq":
            self.send(f"<iq type='result' id={quoteattr(stanza.get('id', ''))} to={quoteattr(stanza.get('from', ''))}/>")
        elif tag == "message":
            self.messages.put_nowait((now, stanza))
        elif tag == "presence":
            self.presences.put_nowait(stanza)
        elif tag == "error":
            self.error = StreamClosed("stream error: " + ",".join(c.tag.split("}")[1] for c in stanza))

    def discard_input(self):
        """From now on what arrives is read and thrown away unparsed (a busy room's posters)."""
        self.task.cancel()

        async def drain():
            try:
                while await self.reader.read(1 << 20):
                    pass
            except (ConnectionError, ssl.SSLError):
                pass
            self.closed.set()

        self.task = asyncio.create_task(drain())

    def send(self, xml):
        if self.writer and not self.writer.is_closing():
            self.writer.write(xml.encode() if isinstance(xml, str) else xml)

    async def iq(self, xml_with_id, iq_id, timeout=30):
        waiter = asyncio.get_running_loop().create_future()
        self.iq_waiters[iq_id] = waiter
        self.send(xml_with_id)
        return await asyncio.wait_for(waiter, timeout)

    async def ping(self, timeout=30):
        iq_id = next_id("ping")
        return await self.iq(f"<iq type='get' id='{iq_id}' to='{self.domain}'><ping xmlns='urn:xmpp:ping'/></iq>",
                             iq_id, timeout)

    async def join(self, room, nick, timeout=30):
        """Joins with no history; returns once the room sent our own presence (status 110)."""
        self.send(f"<presence to={quoteattr(room + '/' + nick)}><x xmlns='{MUC}'>"
                  f"<history maxstanzas='0'/></x></presence>")
        deadline = time.monotonic() + timeout
        while True:
            presence = await asyncio.wait_for(self.presences.get(), max(0.01, deadline - time.monotonic()))
            if presence.get("from", "").split("/")[0] != room:
                continue
            if presence.get("type") == "error":
                raise StreamClosed(f"join {room} refused")
            if any(s.get("code") == "110" for s in presence.iter("{http://jabber.org/protocol/muc#user}status")):
                return

    def leave(self, room, nick):
        self.send(f"<presence type='unavailable' to={quoteattr(room + '/' + nick)}/>")

    def post(self, room, body):
        self.send(f"<message type='groupchat' to={quoteattr(room)} id={quoteattr(next_id('m'))}>"
                  f"<body>{escape(body)}</body></message>")

    async def close(self):
        if self.writer and not self.writer.is_closing():
            try:
                self.writer.write(b"</stream:stream>")
                await asyncio.wait_for(self.closed.wait(), 5)
            except (asyncio.TimeoutError, ConnectionError, ssl.SSLError):
                pass
            self.abort()

    def abort(self):
        if self.writer:
            self.writer.transport.abort()
        if self.task:
            self.task.cancel()


def stanza_id(message, by):
    """The stanza-id `by` stamped on a message, or None."""
    for element in message.iter(f"{{{SID}}}stanza-id"):
        if element.get("by") == by:
            return element.get("id")
    return None


def body(message):
    return message.findtext(f"{{{CLIENT}}}body")
