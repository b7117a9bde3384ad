import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lvsi_front_desk_clerk_logs_in_and_sees_the_centre_name(live_server, page, hall):
    """ORG-2: the staff home names the clerk's centre in full."""
    page.goto(f"{live_server.url}/login/")
    assert "工作人员登录" in page.content()
    page.get_by_label("用户名").fill(hall.front_desk.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1.centre-name").inner_text() == "启东市吕四港镇为民服务中心"


def test_wrong_password_shows_a_chinese_error(live_server, page, hall):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(hall.front_desk.username)
    page.get_by_label("密码").fill("not-the-password1")
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码不正确" in page.locator("[role=alert]").inner_text()
