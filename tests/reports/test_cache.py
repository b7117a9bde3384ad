"""The city view's cached figures (issue 17): a past period's table until the next rebuild, today's until an
event recomputes today, each scope's under its own key; the department view's cached counts, its paged
case list and its overdue card (GOV-1, GOV-2). The clock is frozen (the scene's), so no cache time ever
runs out here: whatever changes, changes because the cache was told."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.core.management import call_command

from govhall.accounts.models import Role
from govhall.queueing import services as queue
from govhall.reports import live
from tests.conftest import login
from tests.factories import TownCentreFactory, UserFactory
from tests.reports.conftest import local
from tests.reports.test_pages import cell


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
