#!/usr/bin/env python3
"""Writes the seed corpora under Fuzz/corpus/ (run from anywhere; overwrites seed-* files only).

The SASL seeds are complete SCRAM exchanges computed here with the fuzz target's fixed
password, salt, iterations and server nonce (Sources/SalonFuzzTargets/SASLFuzz.swift), so the
fuzzer starts from messages the server accepts.
"""
import base64, hashlib, hmac, os, pathlib

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"
HEADER = ("<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' "
          "xmlns='jabber:client' to='fuzz.test' version='1.0'>")
CLOSE = "</stream:stream>"


def write(target, name, data):
    directory = ROOT / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"seed-{name}").write_bytes(data if isinstance(data, bytes) else data.encode())


def xml_stream():
    seeds = {
        "message": (0, HEADER + "<message to='a@fuzz.test' type='chat'><body>hi &amp; &lt;there&gt; &#x263A;</body></message>" + CLOSE),
        "iq-prefixes": (7, HEADER + "<iq type='get' id='1'><p:query xmlns:p='jabber:iq:roster' p:ver='x'><p:item jid='b@c'/></p:query></iq>" + CLOSE),
        "presence-attrs": (32, HEADER + "<presence xml:lang='en' a='1' b=\"2\"><show>away</show><status>caf\u00e9 \U0001F389</status></presence>"),
        "dtd": (5, "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><stream:stream xmlns:stream='http://etherx.jabber.org/streams'>&a;"),
        "comment-pi": (3, HEADER + "<!-- c --><?pi x?><message/>"),
        "cdata-deep": (17, HEADER + "<a><b><c><d><e><f><g><![CDATA[<x>]]></g></f></e></d></c></b></a>"),
        "restart": (1, HEADER + "<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>" + CLOSE + "trailing"),
        # Seed 20: expat swapped after 10 bytes, so every stanza ends on a swap.
        "recycle-stanzas": (20, HEADER + "<presence/> <message xmlns:x='urn:x'><x:a x:b='1'>t</x:a></message>\n"
                            + "<iq type='get' id='2'><query xmlns='jabber:iq:roster'/></iq>" + CLOSE),
        "recycle-prefixed-root": (1, "<s:stream xmlns:s='http://etherx.jabber.org/streams' xmlns:c='jabber:client'>"
                                  "<c:presence/><c:message><c:body>x</c:body></c:message></s:stream>"),
        "no-default-ns": (9, "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><message xmlns='urn:x' x:y='1' xmlns:x='urn:y'/>"),
    }
    for name, (seed, text) in seeds.items():
        write("xml-stream", name, bytes([seed]) + text.encode())


def jid():
    for i, text in enumerate(["user@example.com/res", "\u00dcn\u00efc\u00f6d\u00e9@ExAmPle.COM./R\u00e9source x", "[::1]",
                              "a@b", "example.com/a@b/c", "\u03a3\u0391\u039b\u039f\u039d@\u4f8b\u3048\u3002\u30c6\u30b9\u30c8/\uff98\uff7f\uff70\uff7d",
                              "x@y.z/", "@domain", "room@chat.fuzz.test/Nick\u2003Name", "e\u0301@b\u0308.example/\u212b"]):
        write("jid", f"{i:02}", text)


def scram(algorithm, mode, binding, name):
    digest = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}[algorithm]
    password, salt, iterations = b"pencil", b"salon-fuzz-salt!", 1
    client_nonce, server_nonce = "fyko+d2lbbFgONRv9qkxdawL", "3rfcNHYJY1ZVvWVs7j"
    gs2 = "p=tls-exporter,," if binding else "n,,"
    first_bare = f"n=user,r={client_nonce}"
    server_first = f"r={client_nonce}{server_nonce},s={base64.b64encode(salt).decode()},i={iterations}"
    cbind = gs2.encode() + (bytes([0xA5] * 32) if binding else b"")
    final_bare = f"c={base64.b64encode(cbind).decode()},r={client_nonce}{server_nonce}"
    salted = hashlib.pbkdf2_hmac(algorithm, password, salt, iterations)
    client_key = hmac.new(salted, b"Client Key", digest).digest()
    stored_key = digest(client_key).digest()
    auth = f"{first_bare},{server_first},{final_bare}".encode()
    signature = hmac.new(stored_key, auth, digest).digest()
    proof = bytes(a ^ b for a, b in zip(client_key, signature))
    final = f"{final_bare},p={base64.b64encode(proof).decode()}"
    write("sasl", name, bytes([mode]) + (gs2 + first_bare).encode() + b"\0" + final.encode())


def sasl():
    write("sasl", "plain", b"\x00\x00user\x00pencil")
    write("sasl", "plain-authzid", b"\x00admin@fuzz.test\x00user\x00pencil")
    scram("sha1", 0x01, False, "scram-sha1")
    scram("sha256", 0x05, False, "scram-sha256")
    scram("sha256", 0x0D, True, "scram-sha256-plus")
    write("sasl", "scram-escaped", b"\x01n,a=ad=2Cmin,n=us=3Der,r=abc\x00c=biws,r=abc,p=AAAA")


FORM = ("<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>"
        "<field var='with'><value>alice@fuzz.test</value></field><field var='start'><value>2024-01-01T00:00:00Z</value></field>"
        "<field var='{urn:xmpp:fulltext:0}fulltext'><value>hello world</value></field>"
        "<field var='urn:salon:persistent-chat#match'><value>any</value></field>"
        "<field var='urn:salon:persistent-chat#case-sensitive'><value>true</value></field>"
        "<field var='urn:salon:persistent-chat#authors'><value>bob@fuzz.test</value><value>alice@fuzz.test</value></field>"
        "<field var='ids'><value>id-1</value><value>id-2</value></field></x>")
RSM = "<set xmlns='http://jabber.org/protocol/rsm'><max>10</max><after>id-3</after></set>"


def forms():
    write("forms-rsm", "mam-query", f"<query xmlns='urn:xmpp:mam:2' queryid='q1'>{FORM}{RSM}<flip-page/></query>")
    write("forms-rsm", "form", "<x xmlns='jabber:x:data' type='form'><title>T</title><instructions>I</instructions>"
          "<field var='a' type='list-single' label='L'><required/><value>1</value><option label='one'><value>1</value></option></field>"
          "<field type='fixed'><value>note</value></field></x>")
    write("forms-rsm", "result", "<x xmlns='jabber:x:data' type='result'><reported><field var='j' label='J'/></reported>"
          "<item><field var='j'><value>a@b</value></field></item><item><field var='j'/></item></x>")
    write("forms-rsm", "rsm-before", "<set xmlns='http://jabber.org/protocol/rsm'><max>1000000</max><before/><index>3</index></set>")
    write("forms-rsm", "mam-after", "<query xmlns='urn:xmpp:mam:2'><after>id-1</after></query>")


def archive():
    texts = [(0x00, "hello"), (0x02, "hello NEAR( world"), (0x04, "\"quoted\" text"), (0x08, "HELLO"), (0x18, "prefix* ^caret"),
             (0x30, "body: column {body sender}: x"), (0x00, " ".join(f"w{i}" for i in range(40))), (0x42, "caf\u00e9 OR NOT AND"),
             (0x0C, "Caf\u00e9 au")]
    for i, (mode, text) in enumerate(texts):
        write("archive-search", f"text-{i:02}", bytes([mode]) + text.encode())
    write("archive-search", "mam-query", b"\x01" + f"<query xmlns='urn:xmpp:mam:2'>{FORM}{RSM}</query>".encode())
    write("archive-search", "mam-before-last", b"\x01<query xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'><max>3</max><before/></set><flip-page/></query>")


def c2s():
    room = "lobby@chat.fuzz.test"
    seeds = {
        "join-say": f"<presence to='{room}/Fuzzer'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='2'/></x></presence>"
                    f"<message to='{room}' type='groupchat'><body>hello world</body></message>",
        "mam": f"<iq type='set' id='m1' to='{room}'><query xmlns='urn:xmpp:mam:2' queryid='q'>{FORM}{RSM}</query></iq>",
        "search": f"<iq type='set' id='s1' to='chat.fuzz.test'><query xmlns='urn:xmpp:mam:2'>{FORM}</query></iq>",
        "adhoc-list": "<iq type='get' id='a1' to='chat.fuzz.test'><query xmlns='http://jabber.org/protocol/disco#items' node='http://jabber.org/protocol/commands'/></iq>"
                      "<iq type='set' id='a2' to='chat.fuzz.test'><command xmlns='http://jabber.org/protocol/commands' node='room-create' action='execute'/></iq>",
        "adhoc-search": "<iq type='set' id='a3' to='chat.fuzz.test'><command xmlns='http://jabber.org/protocol/commands' node='search' action='execute'>"
                        "<x xmlns='jabber:x:data' type='submit'><field var='keywords'><value>hello</value></field><field var='match'><value>any</value></field></x></command></iq>",
        "owner-config": f"<iq type='get' id='o1' to='{room}'><query xmlns='http://jabber.org/protocol/muc#owner'/></iq>"
                        f"<iq type='get' id='o2' to='{room}'><query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='member'/></query></iq>",
        "roster-vcard": "<iq type='set' id='r1'><query xmlns='jabber:iq:roster'><item jid='witness@fuzz.test' name='W'><group>G</group></item></query></iq>"
                        "<iq type='set' id='v1'><vCard xmlns='vcard-temp'><FN>Fuzz</FN></vCard></iq>"
                        "<presence to='witness@fuzz.test' type='subscribe'/>",
        "pep-bookmarks": "<iq type='set' id='p1'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='urn:xmpp:bookmarks:1'>"
                         f"<item id='{room}'><conference xmlns='urn:xmpp:bookmarks:1' autojoin='true'><nick>F</nick></conference></item></publish></pubsub></iq>",
        "private-moderate": f"<presence to='{room}/F'/><message to='{room}/Nobody' type='chat'><body>pm</body></message>"
                            f"<iq type='set' id='x1' to='{room}'><moderate id='id-1' xmlns='urn:xmpp:message-moderate:1'><retract xmlns='urn:xmpp:message-retract:1'/></moderate></iq>",
        "carbons-block-sm": "<iq type='set' id='c1'><enable xmlns='urn:xmpp:carbons:2'/></iq>"
                            "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='evil@fuzz.test'/></block></iq>"
                            "<enable xmlns='urn:xmpp:sm:3'/><r xmlns='urn:xmpp:sm:3'/>"
                            "<message to='witness@fuzz.test' type='chat'><body>hi</body><request xmlns='urn:xmpp:receipts'/></message>",
        "personal-mam-disco": "<iq type='set' id='pm1'><query xmlns='urn:xmpp:mam:2'/></iq>"
                              "<iq type='get' id='d1' to='chat.fuzz.test'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>"
                              "<iq type='get' id='d2' to='fuzz.test'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>",
    }
    for name, text in seeds.items():
        write("c2s-stream", name, text)


if __name__ == "__main__":
    xml_stream(); jid(); sasl(); forms(); archive(); c2s()
