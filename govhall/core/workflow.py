"""Work-order lifecycles as a table, and the one way an action is applied.

The 12345 work orders (`hotline`) and the 差评 work orders (`reviews`) each declare a `Lifecycle`: a table of
`Action`s, each saying which states it is allowed from, who may do it, what it writes, and what it emits
(a notice); the lifecycle says how an order is locked, how its state is remembered before an action, and how
a done action is recorded (the step row, the audit entry, the record for the outside platform). Like
`cases.rules.ACTIONS`, the table is read by the services, so every action runs the same steps in the same
order, and the answers come in that order too:

    lock the row → who may (403) → allowed state (409) → guard (409) → write (400 on bad input) → save →
    emit → record

An app's service functions stay the public names (`order_reply`, `work_order_verify`, …); each is one
call of `Lifecycle.apply`. Core knows no app: the apps fill in the callables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from django.db import transaction

from govhall.core.errors import Conflict


@dataclass(frozen=True)
class Written:
    """What an action wrote, for its record: the facts (step data / audit), a note, the columns to save
    (``None``: the whole row)."""

    data: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    fields: tuple[str, ...] | None = None


def anyone(actor: Any, order: Any) -> None:
    """For actions whose caller has already established who acts (a signed push from the platform)."""


def nothing(order: Any) -> None:
    """For actions that change no state worth a "before" in the audit (they record only their facts)."""
    return None


@dataclass(frozen=True)
class Action:
    step: str  # what the record calls it (step kind, audit verb, outbox dataset)
    doing: str  # 「不能{doing}」 in the wrong-state answer
    statuses: frozenset[str] | None  # the states it is allowed from; None: any (the guard decides)
    who: Callable[[Any, Any], None]  # (actor, order) → raises Forbidden
    write: Callable[..., Written]  # (order, *, actor, now, **params): checks the input, sets the fields
    guard: Callable[[Any], Conflict | None] | None = None  # a condition beyond the state (409)
    # the audit's "before" (None: the lifecycle's `state`; `nothing`: the action records only its facts)
    before: Callable[[Any], dict[str, Any] | None] | None = None
    emit: Callable[[Any, Written], None] | None = None  # a notice beyond the record (e.g. an SMS)


@dataclass(frozen=True)
class Done:
    """An action just written and saved, for the lifecycle's record."""

    action: Action
    written: Written
    actor: Any
    now: dt.datetime
    before: dict[str, Any] | None


def wrong_state(order: Any, doing: str) -> Conflict:
    """The one wrong-state answer of a work order (409)."""
    return Conflict(
        f"工单{order.number}当前为“{order.get_status_display()}”，不能{doing}。", code="wrong_state"
    )


class Order(Protocol):
    """What the lifecycle needs of a work-order row."""

    status: Any

    def save(self, *args: Any, **kwargs: Any) -> None: ...


T = TypeVar("T", bound=Order)


@dataclass(frozen=True)
class Lifecycle(Generic[T]):
    actions: Mapping[str, Action]
    lock: Callable[[T], T]  # the row again, locked for update, with what the actions read
    state: Callable[[Any], dict[str, Any] | None]  # the order's state, remembered before an action
    record: Callable[[T, Done], None]  # the step row, the audit entry, the outbox record
    wrong_state: Callable[[Any, str], Conflict] = wrong_state  # (order, doing)

    def check(self, code: str, order: T, actor: Any) -> Action:
        """Refuse (Forbidden, then Conflict) unless ``actor`` may do ``code`` to ``order`` now."""
        action = self.actions[code]
        action.who(actor, order)
        if action.statuses is not None and order.status not in action.statuses:
            raise self.wrong_state(order, action.doing)
        if action.guard is not None:
            conflict = action.guard(order)
            if conflict is not None:
                raise conflict
        return action

    def perform(self, action: Action, order: T, *, actor: Any, now: dt.datetime, **params: Any) -> T:
        """Write, save, emit and record ``action`` on an order already checked (or one being created)."""
        before = (action.before or self.state)(order)
        written = action.write(order, actor=actor, now=now, **params)
        if written.fields is None:
            order.save()
        else:
            order.save(update_fields=list(written.fields))
        if action.emit is not None:
            action.emit(order, written)
        self.record(order, Done(action, written, actor, now, before))
        return order

    @transaction.atomic
    def apply(self, code: str, order: T, *, actor: Any, now: dt.datetime, **params: Any) -> T:
        """Lock ``order``, check, then perform action ``code``: atomic, all or nothing."""
        order = self.lock(order)
        action = self.check(code, order, actor)
        return self.perform(action, order, actor=actor, now=now, **params)
