"""Scripts/soak in short: three rounds of load, SIGKILL and restart against the debug build, every
received message found in the archive once and in order; then the soak's check is shown a
database with a message removed and another archived twice, and must report both."""
import importlib.machinery
import importlib.util
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, salon_binary

SOAK = ROOT / "Scripts" / "soak"


def load_soak():
    sys.path.insert(0, str(ROOT / "Scripts" / "load"))
    loader = importlib.machinery.SourceFileLoader("soak_script", str(SOAK))
    spec = importlib.util.spec_from_loader("soak_script", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_three_rounds_lose_nothing():
    result = subprocess.run([sys.executable, str(SOAK), "3", "--seed", "18", "--max-seconds", "3", "--keep",
                             "--binary", str(salon_binary())], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = re.search(r"received and checked (\d+), lost (\d+), duplicated (\d+), out of order (\d+)", result.stdout)
    assert summary, result.stdout
    checked, lost, duplicated, out_of_order = map(int, summary.groups())
    assert checked > 0 and (lost, duplicated, out_of_order) == (0, 0, 0), result.stdout
    workdir = Path(re.search(r"working directory: (\S+)", result.stdout).group(1))

    # The check must be able to fail: take archived messages as received, then lose one and
    # archive another twice behind the soak's back.
    soak = load_soak()
    salon = soak.Salon(salon_binary(), workdir)
    db = sqlite3.connect(salon.data / "salon.sqlite")
    rows = db.execute("SELECT room, stanza_id, body FROM room_messages WHERE body LIKE 'soak %' ORDER BY id").fetchall()
    assert len(rows) >= 2
    ledger = soak.Ledger()
    ledger.received = [("poster0", f"{room}@chat.localhost" if "@" not in room else room, sid, text)
                       for room, sid, text in rows]
    counts, problems = soak.check(salon, ledger)
    assert (counts["lost"], counts["duplicated"], problems) == (0, 0, [])
    db.execute("DELETE FROM room_messages WHERE stanza_id = ?", (rows[0][1],))
    db.execute("""INSERT INTO room_messages (room, sequence, stanza_id, sender, nick, occupant_id, timestamp, body, stanza)
                  SELECT room, sequence + 1000000, stanza_id || '-again', sender, nick, occupant_id, timestamp, body, stanza
                  FROM room_messages WHERE stanza_id = ?""", (rows[1][1],))
    db.commit()
    db.close()
    counts, problems = soak.check(salon, ledger)
    assert counts["lost"] == 1 and counts["duplicated"] == 1, problems
    shutil.rmtree(workdir, ignore_errors=True)
