"""Real-client tests of avatars: a XEP-0084 avatar published with slixmpp's xep_0084 is read
as the vCard PHOTO (xep_0054) by another client and the reverse (XEP-0398 conversion), and a
room vCard (XEP-0486) set by the room's manager is read by a member."""
import asyncio
import base64
import hashlib
import time

import pytest
from slixmpp.exceptions import IqError

from conftest import DOMAIN
from test_im_extensions import online
from test_rooms import CHAT, cli
from test_slixmpp_clients import TIMEOUT, offline, run

# A 1×1 PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
PNG_ID = hashlib.sha1(PNG).hexdigest()
# A 2×3 GIF.
GIF = base64.b64decode("R0lGODlhAgADAIAAAP///wAAACwAAAAAAgADAAACAoRRADs=")
GIF_ID = hashlib.sha1(GIF).hexdigest()
AVATAR_PLUGINS = ("xep_0004", "xep_0054", "xep_0060", "xep_0084", "xep_0163")


def open_access(xmpp):
    form = xmpp.plugin["xep_0004"].make_form(ftype="submit")
    form.add_field(var="FORM_TYPE", ftype="hidden", value="http://jabber.org/protocol/pubsub#publish-options")
    form.add_field(var="pubsub#access_model", value="open")
    return form


def test_pep_avatar_becomes_vcard_photo(salon):
    for name in ("avapub", "avaread"):
        salon.user(name, f"pw-{name}")

    async def scenario():
        publisher = await online(salon, "avapub", "desk", AVATAR_PLUGINS)
        reader = await online(salon, "avaread", "home", AVATAR_PLUGINS)
        info = await publisher.plugin["xep_0030"].get_info(f"avapub@{DOMAIN}", timeout=TIMEOUT)
        assert "urn:xmpp:pep-vcard-conversion:0" in info["disco_info"]["features"]

        avatars = publisher.plugin["xep_0084"]
        await avatars.publish_avatar(PNG, options=open_access(publisher), timeout=TIMEOUT)
        await avatars.publish_avatar_metadata([{"id": PNG_ID, "type": "image/png", "bytes": len(PNG)}],
                                              options=open_access(publisher), timeout=TIMEOUT)
        iq = await reader.plugin["xep_0054"].get_vcard(f"avapub@{DOMAIN}", cached=False, timeout=TIMEOUT)
        assert iq["vcard_temp"]["PHOTO"]["BINVAL"] == PNG
        assert iq["vcard_temp"]["PHOTO"]["TYPE"] == "image/png"

        await avatars.stop(timeout=TIMEOUT)
        iq = await reader.plugin["xep_0054"].get_vcard(f"avapub@{DOMAIN}", cached=False, timeout=TIMEOUT)
        assert not iq["vcard_temp"]["PHOTO"]["BINVAL"]
        await offline(publisher, reader)

    run(scenario())


def test_vcard_photo_becomes_pep_avatar(salon):
    for name in ("avaset", "avaseen"):
        salon.user(name, f"pw-{name}")

    async def scenario():
        owner = await online(salon, "avaset", "desk", AVATAR_PLUGINS)
        reader = await online(salon, "avaseen", "home", AVATAR_PLUGINS)
        vcard = owner.plugin["xep_0054"].make_vcard()
        vcard["FN"] = "Ava Set"
        vcard["PHOTO"]["TYPE"] = "image/png"
        vcard["PHOTO"]["BINVAL"] = PNG
        await owner.plugin["xep_0054"].publish_vcard(vcard, timeout=TIMEOUT)

        metadata = await reader.plugin["xep_0060"].get_items(f"avaset@{DOMAIN}", "urn:xmpp:avatar:metadata", timeout=TIMEOUT)
        info = metadata["pubsub"]["items"]["substanzas"][0]["payload"].find("{urn:xmpp:avatar:metadata}info")
        assert info.get("id") == PNG_ID and info.get("type") == "image/png" and info.get("bytes") == str(len(PNG))
        data = await reader.plugin["xep_0084"].retrieve_avatar(f"avaset@{DOMAIN}", PNG_ID, timeout=TIMEOUT)
        payload = data["pubsub"]["items"]["substanzas"][0]["payload"]
        assert base64.b64decode(payload.text) == PNG
        await offline(owner, reader)

    run(scenario())


@pytest.fixture(scope="module")
def gallery(salon):
    for name in ("gina", "hugo"):
        salon.user(name, f"pw-{name}")
    cli(salon, "category", "create", "Galleries", "--allow", DOMAIN)
    cli(salon, "room", "create", "Gallery", "--category", "Galleries", "--jid", "gallery", "--privacy", "closed",
        "--member", f"gina@{DOMAIN}", "--member", f"hugo@{DOMAIN}", "--manager", f"gina@{DOMAIN}")
    # The running server picks up CLI changes within a second.
    time.sleep(1.5)
    return salon


def test_room_vcard_set_by_manager_read_by_member(gallery):
    async def scenario():
        gina = await online(gallery, "gina", "desk", AVATAR_PLUGINS)
        hugo = await online(gallery, "hugo", "home", AVATAR_PLUGINS)
        room = f"gallery@{CHAT}"
        vcard = gina.plugin["xep_0054"].make_vcard()
        vcard["PHOTO"]["TYPE"] = "image/png"
        vcard["PHOTO"]["BINVAL"] = PNG
        try:
            await hugo.plugin["xep_0054"].publish_vcard(vcard, jid=room, timeout=TIMEOUT)
            raise AssertionError("a member who does not manage the room set its vCard")
        except IqError as error:
            assert error.iq["error"]["condition"] == "forbidden"
        await gina.plugin["xep_0054"].publish_vcard(vcard, jid=room, timeout=TIMEOUT)
        iq = await hugo.plugin["xep_0054"].get_vcard(room, cached=False, timeout=TIMEOUT)
        assert iq["vcard_temp"]["PHOTO"]["BINVAL"] == PNG
        info = await hugo.plugin["xep_0030"].get_info(room, timeout=TIMEOUT)
        assert "vcard-temp" in info["disco_info"]["features"]
        # text-multi (XEP-0486 §5): one line per photo.
        assert info["disco_info"]["form"].get_values()["muc#roominfo_avatarhash"] == [PNG_ID]
        await offline(gina, hugo)

    run(scenario())


def test_room_avatar_from_the_cli_reaches_occupants(gallery, tmp_path):
    async def scenario():
        hugo = await online(gallery, "hugo", "cli", AVATAR_PLUGINS + ("xep_0045",))
        room = f"gallery@{CHAT}"
        await hugo.plugin["xep_0045"].join_muc_wait(room, "Hugo", maxstanzas=0, timeout=TIMEOUT)
        changes = asyncio.Queue()

        def on_status(message):
            codes = [s.get("code") for s in message.xml.findall("{http://jabber.org/protocol/muc#user}x/"
                                                                "{http://jabber.org/protocol/muc#user}status")]
            if message["from"].bare == room and "104" in codes:
                changes.put_nowait(message)

        # slixmpp's xep_0045 reports room status messages (no body) as this event.
        hugo.add_event_handler("groupchat_config_status", on_status)
        image = tmp_path / "gallery.gif"
        image.write_bytes(GIF)
        assert GIF_ID in cli(gallery, "room", "avatar", "Gallery", str(image))
        await asyncio.wait_for(changes.get(), TIMEOUT)
        info = await hugo.plugin["xep_0030"].get_info(room, timeout=TIMEOUT)
        assert info["disco_info"]["form"].get_values()["muc#roominfo_avatarhash"] == [GIF_ID]
        iq = await hugo.plugin["xep_0054"].get_vcard(room, cached=False, timeout=TIMEOUT)
        assert iq["vcard_temp"]["PHOTO"]["TYPE"] == "image/gif"

        assert "avatar removed" in cli(gallery, "room", "avatar", "Gallery", "--remove")
        await asyncio.wait_for(changes.get(), TIMEOUT)
        info = await hugo.plugin["xep_0030"].get_info(room, timeout=TIMEOUT)
        assert "muc#roominfo_avatarhash" not in info["disco_info"]["form"].get_values()
        await offline(hugo)

    run(scenario())
