"""An inspector walks a survey on a tablet, from the centre page to the scorecard (SITE-1..8, GOV-1)."""

from __future__ import annotations

import pytest

from govhall.accounts.models import Role
from govhall.standards.measures import BOOL, MEASURES
from govhall.standards.models import Assessment, Survey, SurveyStatus
from govhall.standards.seed import load_builtin
from tests.factories import PASSWORD, UserFactory, bureau_user
from tests.standards.builders import compliant_town


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_inspector_walks_a_survey_on_a_tablet_to_a_scorecard(live_server, browser):
    """SITE-1/7/8: start the survey, save a draft, come back, finish and sign, generate the scorecard: the
    480 m² hall fails SITE-1 and the missing emergency exit shows as a safety failure first. GOV-1: the
    overview then shows the town in the chart."""
    from playwright.sync_api import expect

    load_builtin()
    town = compliant_town(3, name="海复镇")
    UserFactory(centre=town, roles=[Role.DIRECTOR], full_name="郑主任")
    bureau_user(username="qian", full_name="钱考核", roles=[Role.INSPECTOR])
    errors: list[str] = []

    page = browser.new_page(viewport={"width": 820, "height": 1180}, has_touch=True)  # a tablet, portrait
    # Script errors only: the refused save answers 400 and there is no favicon, both logged as resources.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/login/?next=/standards/centres/{town.pk}/")
    page.fill("#id_username", "qian")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("启东市海复镇为民服务中心")

    page.click("#start-survey")
    expect(page.locator("h1")).to_contain_text("现场勘查")
    page.fill("#value_hall_area", "480")
    page.fill("#note_hall_area", "含等候区，不含办公室")
    page.click("#save-draft")
    expect(page.locator(".messages")).to_contain_text("草稿已保存")
    expect(page.locator("#progress")).to_have_text("1 / 30")

    # Come back later: the draft is still there.
    page.goto(f"{live_server.url}/standards/centres/{town.pk}/")
    page.click("text=继续填写勘查（草稿）")
    expect(page.locator("#value_hall_area")).to_have_value("480")
    page.fill("#value_counter_height", "900")
    page.click("#save-draft")
    expect(page.locator("#item-counter_height .errorlist")).to_contain_text("柜台高度”应在 40–150 cm 之间")
    page.fill("#value_counter_height", "85")
    page.fill("#value_counter_width", "75")
    for key, measure in MEASURES.items():
        if measure.kind == BOOL and page.locator(f"input[name=value_{key}]").count():
            choice = "no" if key == "emergency_exit" else "yes"
            page.locator(f"input[name=value_{key}][value={choice}]").check()
    page.fill("#signed_name", "钱考核")
    page.click("#finish")
    expect(page.locator(".signed")).to_contain_text("已签名锁定：钱考核")
    assert Survey.objects.get(centre=town).status == SurveyStatus.FINISHED

    page.click("#run-assessment")
    expect(page.locator("h1")).to_contain_text("标准化考核评分表")
    expect(page.locator("#grade")).to_have_text("不合格")
    expect(page.locator("#safety-alert")).to_contain_text("SITE-7.13 设置紧急逃生通道")
    expect(page.locator("tr[data-code='SITE-1.3']")).to_contain_text("480 m²")
    expect(page.locator("tr[data-code='SITE-1.3']")).to_contain_text("未达标")
    first_row = page.locator("table.results tbody tr").first
    expect(first_row).to_contain_text("安全项")
    assessment = Assessment.objects.get(centre=town)
    expect(page.locator("#score")).to_have_text(str(assessment.score))

    page.goto(f"{live_server.url}/standards/overview/")
    expect(page.locator("#town-chart")).to_have_attribute("data-rendered", "true")
    expect(page.locator("table.ranking")).to_contain_text("海复镇")
    page.context.close()
    assert errors == []
