"""Real-client tests of file upload (XEP-0363): slixmpp's xep_0363 uploads a file over HTTPS
and posts it in a room with XEP-0066 out-of-band data, another member downloads it; curl for
the HTTP edge cases (ranges, a second PUT, a forged token, conflicting framing, CORS); the CLI lists
and removes the file."""
import asyncio
import functools
import io
import socket
import ssl
import subprocess
import time
from urllib.parse import urlsplit

import aiohttp
import pytest
from slixmpp import JID
from slixmpp.exceptions import IqError
from slixmpp.plugins.xep_0363 import http_upload

from conftest import DOMAIN, Salon
from test_rooms import CHAT, cli, muc_client
from test_slixmpp_clients import TIMEOUT, offline

ROOM = JID(f"drawings@{CHAT}")
PLAIN = JID(f"noticeboard@{CHAT}")


@pytest.fixture(scope="module")
def studio(salon):
    for name in ("fay", "gus", "hal"):
        salon.user(name, f"pw-{name}")
    cli(salon, "category", "create", "Art", "--allow", DOMAIN, "--file-upload")
    cli(salon, "category", "create", "Notices", "--allow", DOMAIN)
    cli(salon, "room", "create", "Drawings", "--category", "Art", "--jid", "drawings", "--privacy", "closed",
        "--member", f"fay@{DOMAIN}", "--member", f"gus@{DOMAIN}", "--manager", f"fay@{DOMAIN}")
    cli(salon, "room", "create", "Noticeboard", "--category", "Notices", "--jid", "noticeboard", "--privacy", "open")
    # The running server picks up CLI changes within a second.
    time.sleep(1.5)
    return salon


def trusting(salon):
    """A TLS context that trusts the server's self-signed certificate (as an operator's CA would)."""
    return ssl.create_default_context(cafile=str(salon.workdir / "Certs" / f"{DOMAIN}.crt"))


def curl(salon, *arguments, input_bytes=None):
    """curl against the server's HTTP port, trusting its certificate; returns (status, headers+body)."""
    result = subprocess.run(["curl", "-sS", "-i", "--cacert", str(salon.workdir / "Certs" / f"{DOMAIN}.crt"),
                             "--resolve", f"{DOMAIN}:{salon.http}:127.0.0.1", *arguments],
                            input=input_bytes, capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8", "replace")
    return int(text.split(" ", 2)[1]), text


def test_upload_post_and_download(studio):
    content = b"a drawing, in bytes\n" * 100

    async def scenario():
        loop = asyncio.get_running_loop()
        fay = await muc_client(studio, "fay")
        gus = await muc_client(studio, "gus")
        for client in (fay, gus):
            client.register_plugin("xep_0363")
            client.register_plugin("xep_0066")
        await fay.plugin["xep_0045"].join_muc_wait(ROOM, "Fay", maxstanzas=0, timeout=TIMEOUT)
        await gus.plugin["xep_0045"].join_muc_wait(ROOM, "Gus", maxstanzas=0, timeout=TIMEOUT)
        original = http_upload.ClientSession
        http_upload.ClientSession = functools.partial(original, connector=aiohttp.TCPConnector(ssl=trusting(studio)))
        try:
            url = await fay.plugin["xep_0363"].upload_file("sketch.png", size=len(content), content_type="image/png",
                                                           input_file=io.BytesIO(content), timeout=TIMEOUT)
        finally:
            http_upload.ClientSession = original
        assert url.startswith(f"https://{DOMAIN}:{studio.http}/files/")

        heard = loop.create_future()
        gus.add_event_handler("groupchat_message", lambda msg: msg["oob"]["url"] and not heard.done() and heard.set_result(msg))
        message = fay.make_message(mto=ROOM, mbody=url, mtype="groupchat")
        message["oob"]["url"] = url
        message.send()
        received = await asyncio.wait_for(heard, TIMEOUT)
        assert received["oob"]["url"] == url

        # Gus downloads what Fay posted.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=trusting(studio))) as session:
            async with session.get(url) as response:
                assert response.status == 200
                assert await response.read() == content
                assert response.headers["Content-Type"] == "image/png"
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                assert response.headers["Content-Disposition"].startswith("inline;")

        # A room whose category takes no files refuses the post, naming the category.
        await fay.plugin["xep_0045"].join_muc_wait(PLAIN, "Fay", maxstanzas=0, timeout=TIMEOUT)
        refused = loop.create_future()
        fay.add_event_handler("message_error", lambda msg: refused.done() or refused.set_result(msg))
        fay.send_message(mto=PLAIN, mbody=url, mtype="groupchat")
        error = await asyncio.wait_for(refused, TIMEOUT)
        assert error["error"]["condition"] == "not-allowed"
        assert error["error"]["text"] == "Files are not allowed in rooms of category Notices."

        # Too large for MaxFileSizeKB: slixmpp reads the limit from disco and refuses itself;
        # asked directly the service answers with file-too-large.
        with pytest.raises(IqError) as too_large:
            await fay.plugin["xep_0363"].request_slot(JID(f"upload.{DOMAIN}"), "huge.bin", 100 * 1024 * 1024,
                                                      "application/octet-stream", timeout=TIMEOUT)
        assert too_large.value.iq["error"]["condition"] == "not-acceptable"
        await offline(fay, gus)
        return url

    url = asyncio.run(asyncio.wait_for(scenario(), 60))
    path = urlsplit(url).path
    base = f"https://{DOMAIN}:{studio.http}"
    status, text = curl(studio, "-H", "Range: bytes=0-9", base + path)
    assert status == 206 and "Content-Range: bytes 0-9/2000" in text and text.endswith("a drawing,")
    status, _ = curl(studio, "-H", "Range: bytes=5000-", base + path)
    assert status == 416
    status, text = curl(studio, "-I", base + path)
    assert status == 200 and "Content-Length: 2000" in text
    # A second PUT to a finished slot, and a PUT with a forged token.
    status, _ = curl(studio, "-X", "PUT", "--data-binary", "x", base + path + "?token=1.00")
    assert status in (403, 409)

    # CORS, as a browser client (Converse.js) asks it: a preflight, then the download.
    status, text = curl(studio, "-X", "OPTIONS", "-H", "Origin: https://web.example",
                        "-H", "Access-Control-Request-Method: PUT", "-H", "Access-Control-Request-Headers: content-type",
                        base + path)
    headers = text.lower()
    assert status == 204 and "access-control-allow-origin: *" in headers
    assert "put" in headers.split("access-control-allow-methods:")[1].split("\n")[0]
    assert "access-control-allow-credentials" not in headers
    status, text = curl(studio, "-H", "Origin: https://web.example", base + path)
    assert status == 200 and "access-control-allow-origin: *" in text.lower()

    # The CLI lists the file under its room and removes it; its URL is then gone.
    file_id = path.split("/")[2]
    listing = cli(studio, "file", "list", "--room", "drawings")
    assert file_id in listing and "fay@localhost" in listing
    assert "files: 1 (2000 bytes)" in cli(studio, "room", "show", "drawings")
    assert f"removed file {file_id}" in cli(studio, "file", "remove", file_id)
    status, _ = curl(studio, base + path)
    assert status == 410


def test_http_edge_cases_with_curl(studio):
    # Conflicting Content-Length and Transfer-Encoding (request smuggling) are refused.
    request = (f"PUT /files/{'a' * 32}/x.txt HTTP/1.1\r\nHost: {DOMAIN}\r\nContent-Length: 4\r\n"
               "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n")
    result = subprocess.run(["openssl", "s_client", "-quiet", "-connect", f"127.0.0.1:{studio.http}", "-servername", DOMAIN],
                            input=request.encode(), capture_output=True, timeout=30)
    answer = result.stdout.decode("utf-8", "replace")
    assert "HTTP/1.1 400" in answer or answer == ""
    assert answer.count("HTTP/1.1") <= 1
    status, _ = curl(studio, f"https://{DOMAIN}:{studio.http}/files/../../etc/passwd", "--path-as-is")
    assert status in (400, 404)
    status, _ = curl(studio, f"https://{DOMAIN}:{studio.http}/files/{'0' * 32}/nothing.txt")
    assert status == 404


@pytest.mark.both_backends
def test_kill_during_upload_leaves_no_half_file(tmp_path):
    """kill -9 in the middle of a PUT: after a restart no partial file is left, the slot is not
    marked uploaded, and the same signed URL then takes the whole file."""
    server = Salon(tmp_path)
    server.start()
    server.user("ivy", "pw-ivy")
    size = 1_000_000

    async def request_slot():
        ivy = await muc_client(server, "ivy")
        ivy.register_plugin("xep_0363")
        slot = await ivy.plugin["xep_0363"].request_slot(JID(f"upload.{DOMAIN}"), "tape.bin", size,
                                                         "application/octet-stream", timeout=TIMEOUT)
        await offline(ivy)
        return slot["http_upload_slot"]["put"]["url"]

    put_url = asyncio.run(asyncio.wait_for(request_slot(), 60))
    target = urlsplit(put_url)
    partial = tmp_path / "data" / "files" / "partial"
    context = trusting(server)
    with socket.create_connection(("127.0.0.1", server.http)) as raw:
        with context.wrap_socket(raw, server_hostname=DOMAIN) as tls:
            tls.sendall((f"PUT {target.path}?{target.query} HTTP/1.1\r\nHost: {DOMAIN}\r\n"
                         f"Content-Type: application/octet-stream\r\nContent-Length: {size}\r\n\r\n").encode())
            tls.sendall(b"x" * 300_000)
            # Wait until the server says it is receiving the upload, then kill it.
            while "upload started" not in server.output.read_text():
                time.sleep(0.05)
            server.process.kill()
            server.process.wait(timeout=15)

    server.start()
    try:
        assert list(partial.iterdir()) == []
        assert [p.name for p in (tmp_path / "data" / "files").iterdir()] == ["partial"]
        status, _ = curl(server, "-X", "PUT", "-H", "Content-Type: application/octet-stream",
                         "--data-binary", "@-", put_url, input_bytes=b"y" * size)
        assert status == 201
        status, text = curl(server, "-I", f"https://{DOMAIN}:{server.http}{target.path}")
        assert status == 200 and f"Content-Length: {size}" in text
    finally:
        server.stop()
