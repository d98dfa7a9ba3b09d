"""The persistent-chat administration commands: categories, rooms, add-ins, groups, admins,
policy and configuration, with the rules' own error messages."""
import subprocess

import pytest

from conftest import salon_binary


@pytest.fixture
def salon_cli(tmp_path):
    def run(*args, ok=True):
        result = subprocess.run([str(salon_binary()), *args, "--data-dir", str(tmp_path / "data")],
                                cwd=tmp_path, capture_output=True, text=True, timeout=60)
        if ok:
            assert result.returncode == 0, result.stderr
        else:
            assert result.returncode != 0, result.stdout
        return result
    # Only serve and init create a database.
    run("init")
    return run


def test_categories_rooms_and_their_rules(salon_cli):
    salon_cli("group", "create", "eng", "alice@localhost", "carol@localhost")
    salon_cli("category", "create", "Eng", "--allow", "group:eng", "--deny", "bob@localhost",
              "--creator", "alice@localhost", "--invitations", "--file-upload")
    shown = salon_cli("category", "show", "eng").stdout
    assert "allowed:      group:eng" in shown and "denied:       bob@localhost" in shown
    assert "invitations:  on" in shown and "chat history: on" in shown

    salon_cli("room", "create", "Design Review", "--category", "Eng", "--privacy", "secret", "--type", "auditorium",
              "--member", "group:eng", "--manager", "alice@localhost", "--presenter", "carol@localhost")
    room = salon_cli("room", "show", "design review").stdout
    assert "address:     design-review" in room and "privacy:     secret" in room and "type:        auditorium" in room

    out_of_scope = salon_cli("room", "set", "Design Review", "--member", "bob@localhost", ok=False)
    assert "scope" in out_of_scope.stderr
    clash = salon_cli("room", "create", "Eng", "--category", "Eng", ok=False)
    assert "Eng" in clash.stderr
    busy = salon_cli("category", "remove", "Eng", ok=False)
    assert "room" in busy.stderr.lower()

    # Shrinking the scope strips roles that fell out of it.
    shrink = salon_cli("category", "set", "Eng", "--deny", "carol@localhost").stdout
    assert "carol@localhost" in shrink
    assert "presenters:  (none)" in salon_cli("room", "show", "Design Review").stdout

    listed = salon_cli("room", "list", "--category", "Eng", "--type", "auditorium").stdout
    assert listed.startswith("Design Review\tdesign-review")
    assert salon_cli("room", "list", "--privacy", "open").stdout == ""

    salon_cli("room", "remove", "Design Review")
    salon_cli("category", "remove", "Eng")
    assert salon_cli("category", "list").stdout == ""


def test_addins_admins_policy_and_configuration(salon_cli):
    salon_cli("addin", "create", "Wiki", "--url", "https://wiki.example.com/room")
    bad = salon_cli("addin", "create", "Bad", "--url", "ftp://example.com", ok=False)
    assert "http" in bad.stderr
    salon_cli("addin", "set", "Wiki", "--url", "https://wiki.example.com/r")
    assert salon_cli("addin", "list").stdout.strip() == "Wiki\thttps://wiki.example.com/r"

    salon_cli("admin", "add", "root@localhost")
    salon_cli("admin", "add", "ops@localhost", "--role", "server")
    assert salon_cli("admin", "list").stdout.splitlines() == ["ops@localhost\tserver", "root@localhost\tchat"]
    salon_cli("admin", "add", "ops@localhost", "--role", "chat")
    assert "ops@localhost\tchat" in salon_cli("admin", "list").stdout
    salon_cli("admin", "remove", "root@localhost")
    salon_cli("admin", "remove", "ops@localhost")
    assert "is not an administrator" in salon_cli("admin", "remove", "ops@localhost", ok=False).stderr

    salon_cli("policy", "set", "--global", "off")
    salon_cli("policy", "set", "alice@localhost", "on")
    policy = salon_cli("policy", "show").stdout
    assert "global: off" in policy and "alice@localhost: on" in policy

    salon_cli("config", "set", "DefaultChatHistory", "50")
    out_of_range = salon_cli("config", "set", "DefaultChatHistory", "501", ok=False)
    assert "500" in out_of_range.stderr
    assert "DefaultChatHistory     50" in salon_cli("config", "show").stdout
