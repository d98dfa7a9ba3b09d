"""Real TLS clients resume their sessions with the server's tickets: `openssl s_client` over
STARTTLS (-sess_out, then -sess_in) and Python's ssl module (the TLS of slixmpp) over direct
TLS. Each connection waits for the server's stream features, which come after the ticket."""
import socket
import ssl
import subprocess

from conftest import DOMAIN

HEADER = (f"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
          f"to='{DOMAIN}' version='1.0'>").encode()
TIMEOUT = 20


def s_client_starttls(salon, *session_args):
    """One STARTTLS connection with s_client; returns its output once the features arrived."""
    process = subprocess.Popen(
        ["openssl", "s_client", "-starttls", "xmpp", "-xmpphost", DOMAIN, "-connect", f"127.0.0.1:{salon.c2s}",
         "-servername", DOMAIN, *session_args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        process.stdin.write(HEADER + b"\n")
        process.stdin.flush()
        output = b""
        while b"stream:features" not in output and b"features>" not in output:
            chunk = process.stdout.read1(65536)
            assert chunk, output.decode(errors="replace")
            output += chunk
        # End of input ends s_client.
        output += process.communicate(timeout=TIMEOUT)[0]
        return output.decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_openssl_s_client_resumes_a_starttls_session(salon, tmp_path):
    session = tmp_path / "session.pem"
    first = s_client_starttls(salon, "-sess_out", str(session))
    assert "New, TLSv1.3" in first
    assert session.exists() and session.stat().st_size > 0
    second = s_client_starttls(salon, "-sess_in", str(session))
    assert "Reused, TLSv1.3" in second, second


def direct_tls(salon, context, session=None):
    """One direct TLS connection; returns (reused, session) once the features arrived."""
    with socket.create_connection(("127.0.0.1", salon.tls), timeout=TIMEOUT) as raw:
        with context.wrap_socket(raw, server_hostname=DOMAIN, session=session) as tls:
            tls.sendall(HEADER)
            received = b""
            while b"features>" not in received:
                chunk = tls.recv(65536)
                assert chunk, received
                received += chunk
            return tls.session_reused, tls.session


def test_python_ssl_resumes_a_direct_tls_session(salon):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["xmpp-client"])
    reused, session = direct_tls(salon, context)
    assert not reused
    assert session is not None and session.has_ticket
    reused, _ = direct_tls(salon, context, session)
    assert reused
