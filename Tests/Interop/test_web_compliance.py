"""End-to-end in headless Chromium: a chat administrator opens the compliance section of the
administrators' page, turns recording on, and verifies the journal; `salon compliance show` and
the journal agree. A server of its own, so the session's server keeps compliance off."""
import shutil
import tempfile
import time
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.ui import WebDriverWait

from conftest import DOMAIN, Salon
from test_compliance import journal
from test_rooms import cli
from test_slixmpp_clients import TIMEOUT
from test_web_pages import browser, shots, wait_for_text  # noqa: F401 (fixtures)


def test_administrator_turns_compliance_on_and_verifies_in_the_browser(browser, shots):  # noqa: F811
    workdir = Path(tempfile.mkdtemp(prefix="salon-web-compliance-"))
    salon = Salon(workdir)
    salon.start()
    try:
        salon.user("webroot", "pw-webroot")
        cli(salon, "admin", "add", f"webroot@{DOMAIN}")
        time.sleep(1.5)  # the server picks up the CLI's change within a second
        base = f"https://{DOMAIN}:{salon.http}/rooms"
        browser.get(f"{base}/admin")
        WebDriverWait(browser, TIMEOUT).until(shown.presence_of_element_located((By.ID, "password")))
        browser.find_element(By.ID, "account").send_keys("webroot")
        browser.find_element(By.ID, "password").send_keys("pw-webroot")
        browser.find_element(By.CSS_SELECTOR, "main form button[type='submit']").click()
        wait_for_text(browser, "Recording is off")
        browser.find_element(By.PARTIAL_LINK_TEXT, "Status, verification of the journal").click()
        wait_for_text(browser, "Waiting for export")
        facts = browser.find_element(By.CSS_SELECTOR, "dl.facts").text
        assert "Recording\noff" in facts and "Last export\nnever" in facts, facts
        shots(browser, "compliance-off")

        browser.find_element(By.XPATH, "//button[contains(., 'Turn compliance recording on')]").click()
        wait_for_text(browser, "Compliance recording is on.")
        shots(browser, "compliance-on")
        assert "enabled: true" in cli(salon, "compliance", "show")
        events = journal(salon)
        assert [(e[1], e[2]) for e in events] == [("COMPLIANCE_CHANGED", f"webroot@{DOMAIN}")]

        browser.find_element(By.XPATH, "//button[contains(., 'Verify the chain now')]").click()
        wait_for_text(browser, "compliance journal intact: 1 events")
        shots(browser, "compliance-verified")
    finally:
        salon.stop()
        shutil.rmtree(workdir, ignore_errors=True)
