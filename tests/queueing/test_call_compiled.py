"""Issue 15 (SITE-5, MODE-1): a call at a window reads the window's state and the ticket at it from SQL
compiled once per process, and takes the next ticket with a pick whose SQL is compiled once per window class.
Each must be exactly what the ORM would run or return; the order of calling is proven in test_calling.py,
which runs the same code on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from govhall.orgs.models import Window, WindowClass
from govhall.queueing import services
from govhall.queueing.models import Ticket, WindowState
from tests.factories import WindowFactory
from tests.queueing.conftest import open_window

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


def _django_pick(window: Any, day: dt.date) -> tuple[str, list[Any]]:
    with transaction.atomic():  # a FOR UPDATE compiles only inside a transaction
        sql, params = services._pick_query(services._candidates(window, day)).query.sql_with_params()
    return sql, list(params)


def _windows(q: Any) -> list[Any]:
    quanke = WindowFactory(centre=q.centre, number=9, window_class=WindowClass.QUANKE)
    return [*q.windows.values(), q.police_window, quanke]


def test_the_kept_pick_is_djangos_own_for_every_window_class(q):
    """The pick's SQL is compiled once per class and its parameters laid out for each window: for every class
    of window, the first call (compiling) and the second (kept) give what the ORM compiles for that window."""
    services._PICK_SQL.clear()
    windows = _windows(q)
    assert {w.window_class for w in windows} >= {
        WindowClass.MINSHENG,
        WindowClass.QUANKE,
        WindowClass.PROFESSIONAL,
    }
    for window in windows:
        expected = _django_pick(window, DAY)
        with transaction.atomic():
            assert services._pick(window, DAY) == expected
            assert services._pick(window, DAY) == expected
    kept = {key[2] for key in services._PICK_SQL}
    assert kept == {w.window_class for w in windows}


def test_two_windows_of_one_class_share_the_sql_but_not_the_parameters(q):
    services._PICK_SQL.clear()
    police2 = WindowFactory(
        centre=q.centre, number=6, window_class=WindowClass.PROFESSIONAL, department=q.police
    )
    with transaction.atomic():
        first_sql, first_params = services._pick(q.police_window, DAY)
        second_sql, second_params = services._pick(police2, DAY)
    assert first_sql == second_sql
    assert first_params != second_params and second_params == _django_pick(police2, DAY)[1]


def test_a_window_whose_pick_has_another_layout_is_compiled_every_time_and_never_kept(q):
    """A professional window without a department compiles to `department_id IS NULL`: one parameter fewer
    than the layout. Its pick is Django's own each time, and nothing is kept for its class."""
    services._PICK_SQL.clear()
    # The database refuses such a window (professional_window_has_department); the pick must not rely on it.
    odd = Window(pk=9_999, centre=q.centre, number=7, window_class=WindowClass.PROFESSIONAL, department=None)
    with transaction.atomic():
        assert services._pick(odd, DAY) == _django_pick(odd, DAY)
    assert services._PICK_SQL == {}
    with transaction.atomic():  # a well-formed professional window afterwards is kept as usual
        assert services._pick(q.police_window, DAY) == _django_pick(q.police_window, DAY)
    assert [key[2] for key in services._PICK_SQL] == [WindowClass.PROFESSIONAL]
    with transaction.atomic():  # and the odd one, coming after, does not take the kept `department_id = %s`
        assert services._pick(odd, DAY) == _django_pick(odd, DAY)
        assert "IS NULL" in services._pick(odd, DAY)[0]


def _columns(row: Any) -> dict[str, Any]:
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}


def test_the_window_state_and_the_ticket_at_the_window_are_what_the_orm_reads(q):
    """Read at each stage of a visit (nobody called, called, in service, finished) the compiled reads give
    every column the ORM's own reads give, the visitor's encrypted phone and ID decrypted alike."""
    window = open_window(q.windows["minsheng"], q.front_desk)
    services.ticket_issue(
        centre=q.centre, matter_id=q.birth.pk, phone="13912345678", id_number="320681199001010013"
    )

    def compare() -> Ticket | None:
        with transaction.atomic():
            state = services._locked_state(window)
            assert _columns(state) == _columns(WindowState.objects.get(window=window))
            current = services._current_ticket(window)
            orm = Ticket.objects.filter(called_window=window, status__in=("called", "serving")).first()
            assert (current is None) == (orm is None)
            if current is not None:
                assert _columns(current) == _columns(orm)
                assert current.called_window == window
        return current

    assert compare() is None
    called = services.ticket_call_next(window=window, by=q.front_desk)
    current = compare()
    assert current is not None and current.pk == called.pk and current.phone == "13912345678"
    services.ticket_start(window=window, ticket_id=called.pk, by=q.front_desk)
    assert compare().status == "serving"
    services.ticket_finish(window=window, ticket_id=called.pk, by=q.front_desk)
    assert compare() is None


def test_a_window_without_a_state_row_gets_one_on_its_first_operation(q):
    window = q.windows["jianshe"]
    WindowState.objects.filter(window=window).delete()
    with transaction.atomic():
        state = services._locked_state(window)
    assert state.pk == WindowState.objects.get(window=window).pk
