"""Browser journeys of the foundation: sign-in and the home page, with and without JavaScript."""

import pytest

from portal.extensions import db
from tests.conftest import Factory, axe_violations, browser_login

pytestmark = pytest.mark.browser


def _seed(live):
    with live.app.app_context():
        Factory().user("kominfo", email="staf@uji.go.id", name="Staf Uji")
        db.session.commit()


def test_sign_in_and_out(live_server, page):
    _seed(live_server)
    browser_login(page, live_server, "staf@uji.go.id", "Rahasia-12345")
    assert page.url.endswith("/admin/")
    assert page.locator("text=Staf Uji").count() == 1
    page.click("text=Keluar")
    page.wait_for_load_state()
    assert page.locator("a", has_text="Masuk petugas").count() == 1


def test_wrong_password_shows_message(live_server, page):
    _seed(live_server)
    browser_login(page, live_server, "staf@uji.go.id", "salah-sekali")
    assert page.locator("[role=alert]").inner_text().startswith("Email atau kata sandi salah")


def test_home_is_indonesian_and_switches_to_english(live_server, page):
    page.goto(live_server("/"))
    assert page.locator("html").get_attribute("lang") == "id"
    page.click("button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def test_home_and_login_have_no_serious_accessibility_violations(live_server, js_page):
    for path in ("/", "/login"):
        js_page.goto(live_server(path))
        assert axe_violations(js_page) == [], path


def test_home_fits_a_phone(live_server, phone_page):
    phone_page.goto(live_server("/"))
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
