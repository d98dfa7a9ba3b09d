"""/metrics and /health after a real client session: slixmpp logs in (and once fails to), joins a
room and posts; the Prometheus text is parsed with prometheus_client's own parser, and the
counters moved by exactly what was done. Counters are cumulative over the session's server, so
each check is a difference between two scrapes."""
import asyncio
import ssl
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families
from slixmpp import ClientXMPP

from conftest import DOMAIN
from test_cli import salon as salon_command
from test_rooms import CHAT, cli, muc_client
from test_slixmpp_clients import TIMEOUT, insecure, offline, run

ROOM = f"metrics@{CHAT}"


def fetch(salon, path):
    """GET over HTTPS, trusting the server's self-signed certificate; returns (status, text)."""
    context = ssl.create_default_context(cafile=str(salon.workdir / "Certs" / f"{DOMAIN}.crt"))
    context.check_hostname = False
    try:
        with urllib.request.urlopen(f"https://127.0.0.1:{salon.http}{path}", context=context, timeout=TIMEOUT) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def scrape(salon):
    """Every sample, keyed by (name, frozenset of labels)."""
    status, text = fetch(salon, "/metrics")
    assert status == 200, text
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0)


def total(samples, name, **labels):
    return sum(v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= ls)


def test_metrics_after_a_client_session(salon):
    for name in ("metmia", "metned"):
        salon.user(name, f"pw-{name}")
    cli(salon, "category", "create", "Ops", "--allow", DOMAIN)
    cli(salon, "room", "create", "Metrics", "--category", "Ops", "--jid", "metrics", "--privacy", "open")
    # The running server picks up CLI changes within a second.
    time.sleep(1.5)
    before = scrape(salon)

    async def scenario():
        wrong = ClientXMPP(f"metmia@{DOMAIN}/interop", "not-her-password")
        insecure(wrong)
        wrong.enable_direct_tls = False
        failed = asyncio.get_running_loop().create_future()
        wrong.add_event_handler("failed_all_auth", lambda _: failed.done() or failed.set_result(True))
        wrong.add_event_handler("session_start", lambda _: failed.done() or failed.set_result(False))
        wrong.connect("127.0.0.1", salon.c2s)
        assert await asyncio.wait_for(failed, TIMEOUT) is True
        wrong.disconnect()

        mia = await muc_client(salon, "metmia")
        ned = await muc_client(salon, "metned")
        await mia.plugin["xep_0045"].join_muc_wait(ROOM, "Mia", maxstanzas=0, timeout=TIMEOUT)
        await ned.plugin["xep_0045"].join_muc_wait(ROOM, "Ned", maxstanzas=0, timeout=TIMEOUT)
        heard = []
        done = asyncio.get_running_loop().create_future()

        def on_message(msg):
            if msg["type"] == "groupchat" and msg["body"]:
                heard.append(msg["body"])
                if len(heard) == 4 and not done.done():
                    done.set_result(True)

        ned.add_event_handler("groupchat_message", on_message)
        for n in range(4):
            mia.send_message(mto=ROOM, mbody=f"reading {n}", mtype="groupchat")
        await asyncio.wait_for(done, TIMEOUT)
        during = scrape(salon)
        await offline(mia, ned)
        return during

    during = run_returning(scenario())
    assert value(during, "salon_rooms_live") >= 1
    assert value(during, "salon_room_occupants") >= 2
    assert value(during, "salon_connections", kind="c2s", tls="true") >= 2
    assert value(during, "salon_groupchat_messages_total") - value(before, "salon_groupchat_messages_total") == 4
    received = "salon_stanzas_received_total"
    assert value(during, received, kind="message") - value(before, received, kind="message") == 4
    assert value(during, "salon_archive_commit_messages_sum") - value(before, "salon_archive_commit_messages_sum") == 4
    auth = "salon_authentications_total"
    assert total(during, auth, result="success") - total(before, auth, result="success") == 2
    # slixmpp tries its next mechanism after a failure, until the server ends the stream.
    assert 1 <= total(during, auth, result="failure") - total(before, auth, result="failure") <= 3
    assert value(during, "process_resident_memory_bytes") > 0
    assert value(during, "process_cpu_seconds_total") > 0


def run_returning(coroutine):
    result = []

    async def keep():
        result.append(await coroutine)

    run(keep())
    return result[0]


def test_health_answers_while_serving(salon):
    assert fetch(salon, "/health") == (200, "serving\n")


def test_a_bad_metrics_allow_entry_stops_the_server_with_its_name(tmp_path):
    config = tmp_path / "salon.yaml"
    config.write_text("metrics:\n  allow: [127.0.0.1, 10.0.0.0/33]\n")
    result = salon_command("serve", "--config", str(config), cwd=tmp_path)
    assert result.returncode != 0
    assert "metrics.allow: '10.0.0.0/33' is not an IP address, a CIDR range or 'any'" in result.stderr
