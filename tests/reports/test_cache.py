"""The city view's cached figures (issue 17): a past period's table until the next rebuild, today's until an
event recomputes today, each scope's under its own key; the department view's cached counts, its paged
case list and its overdue card (GOV-1, GOV-2). The clock is frozen (the scene's), so no cache time ever
runs out here: whatever changes, changes because the cache was told."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

from django.core.management import call_command

from govhall.accounts.models import Role
from govhall.cases.models import Case
from govhall.queueing import services as queue
from govhall.reports import live
from tests.conftest import login
from tests.factories import TownCentreFactory, UserFactory
from tests.reports.conftest import local
from tests.reports.test_pages import cell, liaison


def received(client: Any, query: str = "", level: str = "r-city") -> str:
    html = client.get(f"/reports/{query}").content.decode()
    return cell(html, "cases_received", level)[1]


def test_gov1_a_rebuild_of_a_past_day_changes_the_past_figures_at_once(
    client: Any, scene: Any, clock: Any
) -> None:
    """GOV-1: a past period's table is kept in the cache, and `reports rebuild` of one of its days starts a
    new generation: the next fetch shows the rebuilt figures, not the cached ones."""
    scene.finished_case()  # 2026-03-10
    clock.move_to(local(2026, 3, 11, 9, 0))
    call_command("reports_rebuild", "--from", "2026-03-10", "--to", "2026-03-10")
    login(client, scene.bureau_admin)
    past = "?from=2026-03-10&to=2026-03-10"
    assert received(client, past) == "1"

    clock.move_to(local(2026, 3, 10, 15, 0))  # a case of that day, entered without touching the roll-up
    scene.finished_case()
    clock.move_to(local(2026, 3, 11, 9, 0))
    assert received(client, past) == "1"  # the cached table: nothing rewrote that day's roll-up yet

    call_command("reports_rebuild", "--from", "2026-03-10", "--to", "2026-03-10")
    assert received(client, past) == "2"


def test_gov1_finalising_yesterday_invalidates_the_past_tables_too(
    client: Any, scene: Any, clock: Any
) -> None:
    """GOV-1: any rewrite of a past day (here the nightly finalising of yesterday) starts a new generation."""
    from govhall.reports.tasks import finalise_yesterday_task

    clock.move_to(local(2026, 3, 11, 9, 0))
    login(client, scene.bureau_admin)
    past = "?from=2026-03-10&to=2026-03-10"
    assert received(client, past) == "0"
    clock.move_to(local(2026, 3, 10, 15, 0))
    scene.finished_case()
    clock.move_to(local(2026, 3, 11, 0, 20))
    finalise_yesterday_task.call_local()
    assert received(client, past) == "1"


def test_gov1_a_ticket_issued_or_called_shows_in_todays_figures_on_the_next_fetch(
    client: Any, scene: Any
) -> None:
    """GOV-1 (live): today's table is cached, and the event of an issued or called ticket (which recomputes
    that centre's today) drops it: the next fetch has the new waiting count, not one after the cache time."""
    login(client, scene.bureau_admin)
    assert cell(client.get("/reports/").content.decode(), "tickets_waiting")[1] == "0"

    ticket = queue.ticket_issue(centre=scene.town, group="minsheng").ticket
    # Without the event the page shows the cached table (the clock is frozen: no cache time runs out) …
    assert cell(client.get("/reports/").content.decode(), "tickets_waiting")[1] == "0"
    # … the event's recomputation drops it.
    live.apply_events([SimpleNamespace(topic=f"queueing.centre.{scene.town.pk}.issued")])
    assert cell(client.get("/reports/").content.decode(), "tickets_waiting")[1] == "1"

    queue.window_open(window=scene.window, by=scene.front_desk)
    called = queue.ticket_call_next(window=scene.window, by=scene.front_desk)
    assert called is not None and called.pk == ticket.pk
    live.apply_events([SimpleNamespace(topic=f"queueing.centre.{scene.town.pk}.called")])
    assert cell(client.get("/reports/").content.decode(), "tickets_waiting")[1] == "0"


def test_gov1_the_page_fetch_after_an_event_is_not_served_the_cached_table(client: Any, scene: Any) -> None:
    """GOV-1 (live): the live page's fetch after an event (`figures/?changed=`) shows the change at once,
    while the cached table is still within its cache time."""
    login(client, scene.bureau_admin)
    assert cell(client.get("/reports/").content.decode(), "tickets_waiting")[1] == "0"
    queue.ticket_issue(centre=scene.town, group="minsheng")
    html = client.get(f"/reports/figures/?changed={scene.town.pk}").content.decode()
    assert cell(html, "tickets_waiting")[1] == "1"
    assert cell(client.get("/reports/").content.decode(), "tickets_waiting")[1] == "1"


def test_gov1_a_directors_cached_table_is_never_served_to_another_scope(client: Any, scene: Any) -> None:
    """GOV-1: each scope has its own cached table: the city's is not served to a director, one director's
    not to another, for today and for a past period alike."""
    other = TownCentreFactory(division__name="汇龙镇")
    other_director = UserFactory(centre=other, roles=[Role.DIRECTOR])
    scene.finished_case()  # in 吕四港镇
    for query in ("", "?from=2026-03-01&to=2026-03-09", "?from=2026-03-01&to=2026-03-10"):
        city = login(client, scene.bureau_admin).get(f"/reports/{query}").content.decode()
        assert "吕四港镇" in city and "汇龙镇" in city and "全市合计" in city

        mine = login(client, scene.director).get(f"/reports/{query}").content.decode()
        assert "吕四港镇" in mine and "汇龙镇" not in mine and "全市合计" not in mine

        theirs = login(client, other_director).get(f"/reports/{query}").content.decode()
        assert "汇龙镇" in theirs and "吕四港镇" not in theirs and "全市合计" not in theirs
        assert scene.village.name not in theirs
        assert cell(theirs, "cases_received")[1] == "0"

        again = login(client, scene.director).get(f"/reports/{query}").content.decode()
        assert "汇龙镇" not in again
    # Today the director's table counts his town's case; the other town's never does.
    assert cell(login(client, scene.director).get("/reports/").content.decode(), "cases_received")[1] == "1"


def test_gov1_a_drill_down_to_one_centre_is_its_own_scope(client: Any, scene: Any) -> None:
    """GOV-1: the table of one centre (the drill-down) is cached apart from the director's whole town."""
    login(client, scene.director)
    town = client.get("/reports/").content.decode()
    assert scene.village.name in town
    one = client.get(f"/reports/?centre={scene.village.pk}").content.decode()
    assert scene.village.name in one and scene.other_village.name not in one


def test_gov1_an_unfolded_town_is_rendered_apart_from_the_folded_table(client: Any, scene: Any) -> None:
    """GOV-1: the rendered table is cached per unfolded towns too: asking a town open shows its villages,
    and the folded page asked before and after never does."""
    login(client, scene.bureau_admin)
    assert scene.village.name not in client.get("/reports/").content.decode()
    unfolded = client.get(f"/reports/figures/?open={scene.town.pk}").content.decode()
    assert scene.village.name in unfolded
    assert scene.village.name in client.get(f"/reports/?open={scene.town.pk}").content.decode()
    assert scene.village.name not in client.get("/reports/").content.decode()
    assert scene.village.name not in client.get("/reports/figures/").content.decode()


def test_gov1_the_cached_table_reads_back_as_the_computed_one(scene: Any, clock: Any) -> None:
    """GOV-1: what the cache gives back is the table as computed: every row, label, link filter and figure
    (counts, rates' parts, a pause's reasons), for today and for a past period."""
    from govhall.reports import selectors
    from govhall.reports.services import rebuild

    scene.rate_visit(scene.serve(), level=1)
    scene.finished_case()
    queue.window_pause(window=scene.window, reason="break", by=scene.front_desk)
    clock.move_to(local(2026, 3, 10, 9, 30))
    rebuild(dt.date(2026, 3, 1), dt.date(2026, 3, 10))

    def flat(row: Any) -> list[Any]:
        cells = {k: (c.value, c.num, c.den, c.parts) for k, c in row.cells.items()}
        return [(row.label, row.centre_id, row.level, row.params, cells)] + [
            x for child in row.children for x in flat(child)
        ]

    for period in (
        selectors.Period(dt.date(2026, 3, 10), dt.date(2026, 3, 10)),
        selectors.Period(dt.date(2026, 3, 1), dt.date(2026, 3, 9)),
    ):
        for ids in (None, [scene.town.pk, scene.village.pk]):
            computed = flat(selectors.build_city_table(ids, period))
            assert flat(selectors.city_table(ids, period)) == computed  # computed and stored
            assert flat(selectors.city_table(ids, period)) == computed  # read back
    today = flat(selectors.city_table(None, selectors.Period(dt.date(2026, 3, 10), dt.date(2026, 3, 10))))
    assert any(cells["windows_paused"][3] == {"break": 1} for *_, cells in today)


# --- the department view (GOV-2) ----------------------------------------------------------------------------


def department_cases(scene: Any, *, extra: int, overdue: int) -> list[Any]:
    """One case of the scene's department received through the services, and `extra` copies of it received
    a minute apart earlier; the first `overdue` copies past their deadline by 1, 2, … hours."""
    base = scene.open_case()
    now = base.received_at
    cases = [base]
    for i in range(extra):
        copy = Case.objects.get(pk=base.pk)
        copy.pk = None
        copy.number = f"{base.number}-{i:03d}"
        copy.received_at = now - dt.timedelta(minutes=i + 1)
        if i < overdue:
            copy.due_at = now - dt.timedelta(hours=i + 1)
            copy.warn_at = copy.due_at - dt.timedelta(hours=1)
        copy.save()
        cases.append(copy)
    return cases


def numbers(html: str) -> list[str]:
    return re.findall(r'<a href="/cases/\d+/">([^<]+)</a>', html)


def test_gov2_the_department_case_list_shows_20_a_page(client: Any, scene: Any) -> None:
    """GOV-2: the department's cases 20 a page, newest first, with 上一页 / 下一页 and 第 x / y 页; page 2 has
    the next 20, the last page the rest."""
    cases = department_cases(scene, extra=44, overdue=0)
    newest_first = [c.number for c in sorted(cases, key=lambda c: c.received_at, reverse=True)]
    login(client, liaison(scene, scene.department))

    first = client.get("/reports/department/").content.decode()
    listed = first.split('id="cases"')[1]
    assert "共 45 件" in listed and "第 1 / 3 页" in listed and "下一页" in listed and "上一页" not in listed
    assert numbers(listed) == newest_first[:20]

    second = client.get("/reports/department/?page=2").content.decode().split('id="cases"')[1]
    assert "第 2 / 3 页" in second and "上一页" in second and "下一页" in second
    assert numbers(second) == newest_first[20:40]

    last = client.get("/reports/department/?page=3").content.decode().split('id="cases"')[1]
    assert numbers(last) == newest_first[40:] and "下一页" not in last


def test_gov2_a_bad_page_number_gives_a_page_not_an_error(client: Any, scene: Any) -> None:
    """GOV-2: a page that is not a number gives page 1; one past the end (or below 1) the last page."""
    department_cases(scene, extra=24, overdue=0)
    login(client, liaison(scene, scene.department))
    for bad in ("abc", "", "1.5", "%00", "99999999999999999999"):
        response = client.get(f"/reports/department/?page={bad}")
        assert response.status_code == 200
        html = response.content.decode().split('id="cases"')[1]
        assert "第 1 / 2 页" in html or "第 2 / 2 页" in html
    assert "第 1 / 2 页" in client.get("/reports/department/?page=abc").content.decode()
    for past in ("3", "0", "-1"):
        response = client.get(f"/reports/department/?page={past}")
        assert response.status_code == 200 and "第 2 / 2 页" in response.content.decode()


def test_gov2_the_overdue_card_lists_the_10_oldest_and_links_to_all(
    client: Any, scene: Any, clock: Any
) -> None:
    """GOV-2: the overdue card lists the ten cases with the oldest deadlines, says how many there are
    (「全部 N 件」), and links to the full list, which has every one of them, oldest first."""
    cases = department_cases(scene, extra=15, overdue=12)
    late = sorted((c for c in cases if c.due_at < cases[0].received_at), key=lambda c: c.due_at)
    assert len(late) == 12
    login(client, liaison(scene, scene.department))
    html = client.get("/reports/department/").content.decode()
    card = html.split("超期办件")[1].split('id="cases"')[0]
    assert numbers(card) == [c.number for c in late[:10]]
    assert "共 12 件" in card
    link = re.search(r'<a href="([^"]*)">全部 12 件</a>', card)
    assert link is not None

    full = client.get("/reports/department/" + link.group(1).split("#")[0].replace("&amp;", "&"))
    listed = full.content.decode().split('id="cases"')[1]
    assert "共 12 件" in listed and numbers(listed) == [c.number for c in late]


def test_gov2_the_department_view_keeps_to_its_matters(client: Any, scene: Any) -> None:
    """GOV-2: with the counts cached, another department's liaison sees none of these cases, nor their
    counts, and their pages are not found."""
    cases = department_cases(scene, extra=3, overdue=1)
    login(client, liaison(scene, scene.department))
    assert "共 4 件" in client.get("/reports/department/").content.decode()

    login(client, liaison(scene, scene.other_department))
    html = client.get("/reports/department/").content.decode()
    assert not any(c.number in html for c in cases)
    assert "共 4 件" not in html and "共 0 件" in html
    assert "全部 1 件" not in html
    for c in cases:
        assert client.get(f"/cases/{c.pk}/").status_code == 404
    overdue = client.get("/reports/department/?status=overdue").content.decode()
    assert not any(c.number in overdue for c in cases)


def test_gov2_the_department_figures_are_counted_once_within_the_cache_time(client: Any, scene: Any) -> None:
    """GOV-2: the department's counts, coverage and windows are cached: a second view asks the database
    only for its pages of rows (and the session), and a case list filter uses the cached count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    department_cases(scene, extra=3, overdue=1)
    login(client, liaison(scene, scene.department))

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    cold = queries("/reports/department/")
    warm = queries("/reports/department/")
    assert warm < cold
    assert queries("/reports/department/?status=open") == warm
