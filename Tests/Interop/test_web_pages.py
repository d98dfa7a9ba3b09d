"""End-to-end: the room-management pages (/rooms) in headless Chromium, driven by selenium:
sign in, create a room as a Creator, add a member (and see the scope rule refuse one out of
scope), change privacy, search the room's archive, sign out. Each step leaves a screenshot in
the test's output folder (SALON_TEST_ARTIFACTS, else pytest's tmp_path), never in the tree."""
import os
import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import DOMAIN
from test_archive import post
from test_rooms import CHAT, cli, muc_client
from test_slixmpp_clients import TIMEOUT, run


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    # The server's certificate is self-signed for this test run.
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--ignore-certificate-errors",
                     "--window-size=1280,1000"):
        options.add_argument(argument)
    # Debian's driver, never one fetched at run time.
    driver = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                              options=options)
    yield driver
    driver.quit()


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("SALON_TEST_ARTIFACTS", tmp_path)) / "web-pages"
    folder.mkdir(parents=True, exist_ok=True)
    taken = []

    def take(driver, name):
        path = folder / f"{len(taken) + 1:02d}-{name}.png"
        driver.save_screenshot(str(path))
        taken.append(path)
    yield take
    print(f"screenshots: {folder}")
    assert all(path.stat().st_size > 0 for path in taken)


def wait_for_text(driver, text):
    # While the page navigates, chromedriver may answer "Node with given id does not belong to
    # the document" as a plain WebDriverException rather than a stale element: read again.
    WebDriverWait(driver, TIMEOUT, ignored_exceptions=(WebDriverException,)).until(
        shown.text_to_be_present_in_element((By.TAG_NAME, "main"), text))


def submit(form_field):
    form_field.find_element(By.XPATH, "./ancestor::form//button[@type='submit']").click()


def test_creator_manages_a_room_in_the_browser(salon, browser, shots):
    for name in ("webcreator", "webfriend"):
        salon.user(name, f"pw-{name}")
    cli(salon, "category", "create", "Web Team", "--allow", DOMAIN, "--creator", f"webcreator@{DOMAIN}")
    base = f"https://{DOMAIN}:{salon.http}/rooms"

    browser.get(base)
    WebDriverWait(browser, TIMEOUT).until(shown.presence_of_element_located((By.ID, "password")))
    assert browser.current_url.startswith(f"{base}/sign-in")
    browser.find_element(By.ID, "account").send_keys("webcreator")
    browser.find_element(By.ID, "password").send_keys("wrong")
    shots(browser, "sign-in")
    browser.find_element(By.CSS_SELECTOR, "form button[type='submit']").click()
    wait_for_text(browser, "The account or the password is wrong.")
    browser.find_element(By.ID, "password").send_keys("pw-webcreator")
    browser.find_element(By.CSS_SELECTOR, "main form button[type='submit']").click()
    wait_for_text(browser, "Create a room")
    cookie = browser.get_cookie("salon_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
    shots(browser, "rooms")

    browser.find_element(By.LINK_TEXT, "Create a room").click()
    # The running server adopts the CLI's new category at its next directory poll: until then
    # the form offers no such category, so reload until it does.
    def offers_category(driver):
        names = [option.text for option in driver.find_elements(By.CSS_SELECTOR, "#room-category option")]
        if "Web Team" in names:
            return True
        driver.refresh()
        return False
    WebDriverWait(browser, TIMEOUT, poll_frequency=0.5).until(offers_category)
    browser.find_element(By.ID, "name").send_keys('Budget <b>"Review"</b>')
    browser.find_element(By.ID, "description").send_keys("Numbers & plans for 'next' year")
    Select(browser.find_element(By.ID, "room-category")).select_by_visible_text("Web Team")
    Select(browser.find_element(By.ID, "privacy")).select_by_value("secret")
    shots(browser, "create-form")
    submit(browser.find_element(By.ID, "name"))
    wait_for_text(browser, "The room is created.")
    assert browser.find_element(By.TAG_NAME, "h1").text == 'Budget <b>"Review"</b>'
    room_url = browser.current_url.split("?")[0]
    localpart = room_url.rsplit("/", 1)[1]
    assert browser.find_element(By.PARTIAL_LINK_TEXT, "Join in your chat client").get_attribute("href") \
        == f"xmpp:{localpart}@{CHAT}?join"
    shots(browser, "room-created")

    browser.find_element(By.ID, "add-member").send_keys("webfriend")
    submit(browser.find_element(By.ID, "add-member"))
    wait_for_text(browser, "Added.")
    assert f"webfriend@{DOMAIN}" in browser.find_element(By.ID, "list-member").find_element(By.XPATH, "..").text
    shots(browser, "member-added")

    browser.find_element(By.ID, "add-member").send_keys("eve@elsewhere.example")
    submit(browser.find_element(By.ID, "add-member"))
    wait_for_text(browser, "eve@elsewhere.example is not in the scope of category Web Team (AllowedMembers − DeniedMembers).")
    assert "Only principals in the scope of category Web Team" in browser.find_element(By.ID, "scope-member").text
    shots(browser, "member-out-of-scope")

    Select(browser.find_element(By.ID, "privacy")).select_by_value("open")
    submit(browser.find_element(By.ID, "privacy"))
    # An Open room has no member list: the page says which roles the change took away.
    wait_for_text(browser, "Saved.")
    assert f"removed webfriend@{DOMAIN} as member" in browser.find_element(By.CSS_SELECTOR, "p.notice").text
    facts = browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert "open" in facts
    shots(browser, "privacy-open")

    async def chat():
        xmpp = await muc_client(salon, "webcreator")
        await xmpp.plugin["xep_0045"].join_muc_wait(f"{localpart}@{CHAT}", "Creator", maxstanzas=0, timeout=TIMEOUT)
        await post(xmpp, f"{localpart}@{CHAT}", ["the budget is <tight>", "lunch at noon", "budget review on Friday"])
        xmpp.disconnect()
    run(chat())

    browser.get(room_url)
    browser.find_element(By.ID, "words").send_keys("budget")
    submit(browser.find_element(By.ID, "words"))
    wait_for_text(browser, "2 messages match.")
    results = browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='search'] ol.messages li")
    assert [item.find_element(By.CSS_SELECTOR, ".body").text for item in results] \
        == ["budget review on Friday", "the budget is <tight>"]
    shots(browser, "archive-search")

    browser.set_window_size(390, 844)
    browser.get(room_url)
    wait_for_text(browser, "Recent messages")
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a phone"
    shots(browser, "room-on-a-phone")
    browser.set_window_size(1280, 1000)

    browser.find_element(By.CSS_SELECTOR, "header form button[type='submit']").click()
    wait_for_text(browser, "You are signed out.")
    assert browser.get_cookie("salon_session") is None
    browser.get(room_url)
    WebDriverWait(browser, TIMEOUT).until(shown.presence_of_element_located((By.ID, "password")))
    shots(browser, "signed-out")
