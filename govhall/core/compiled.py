"""A model read of a fixed shape whose SQL is compiled once per process and database (issue 15).

Django compiles a queryset's SQL on every execution. For a wide ``select_related`` read that is most of its
cost: the case's locking read (12 tables, 221 columns) takes ~2.5 ms of CPU to compile and ~0.2 ms to run.
`CompiledRead` keeps what the compiler produced for one queryset shape (the SQL, the column converters, the
related-object populators) and runs it again with only its keys changed, building the same model instances
Django's own ``ModelIterable`` builds (it follows Django 5.2's implementation).

Use it only for reads whose shape never changes and that run on every action of a hot path;
`tests/cases/test_compiled_reads.py` compares each one with the ORM's own result. A read narrowed by a
condition whose shape depends on the caller (an access policy's Q) is a `ShapedRead`: one `CompiledRead` per
shape of condition, the condition's values as its keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, Q, QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError
from django.utils import timezone

M = TypeVar("M", bound=Model)


# The keys a shape is compiled with, replaced by the real keys at each run: values no row holds, one per key.
def _sentinel(kind: type, i: int) -> Any:
    if kind is int:
        return -7_340_001_993 - i
    if kind is str:
        return f"\u2063govhall-compiled-key-{i}"
    if kind is dt.datetime:
        return dt.datetime(1001, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=i + 1)
    if kind is dt.date:
        return dt.date(1001, 1, 1 + i)
    raise TypeError(f"a compiled read's key is an int, a str, a date or a datetime, not {kind.__name__}")


def _prepared(key: Any, connection: Any) -> Any:
    """A key as the database receives it: dates and datetimes as their fields prepare them (unchanged on
    PostgreSQL, text on SQLite); a naive datetime is refused, as it would be ambiguous."""
    if isinstance(key, dt.datetime):
        if timezone.is_naive(key):
            raise ValueError("a compiled read's datetime key must be aware")
        return connection.ops.adapt_datetimefield_value(key)
    if isinstance(key, dt.date):
        return connection.ops.adapt_datefield_value(key)
    return key


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    key_positions: tuple[tuple[int, ...], ...]  # for each key, where it stands among the parameters
    converters: list[tuple[int, tuple[list[Any], Any]]]
    model: Any  # the model class (its DoesNotExist and MultipleObjectsReturned)
    init_list: list[str]
    field_slice: slice
    populators: list[Any]
    locks: bool


class CompiledRead(Generic[M]):
    """``build(*keys)`` returns the queryset for some keys (e.g. ``lambda pk: Case.objects.filter(pk=pk)``),
    each key used as a plain parameter; ``keys`` gives their types (int, str, date or aware datetime). ``get(*keys)`` returns
    its single row (DoesNotExist when there is none) as ``build(*keys).get()`` would, ``all(*keys)`` its
    rows in the queryset's order as ``list(build(*keys))`` would, without the related manager's caching
    of the parent on each row (read it from the row's foreign key, not through it). A key may not be None:
    ``= NULL`` is not ``IS NULL``, so such a read is refused."""

    def __init__(
        self,
        build: Callable[..., QuerySet[M]],
        *,
        keys: tuple[type, ...] = (int,),
        using: str = "default",
    ) -> None:
        self._build = build
        self._sentinels = tuple(_sentinel(kind, i) for i, kind in enumerate(keys))
        self._using = using
        self._plans: dict[str, _Plan] = {}

    def queryset(self, *keys: Any) -> QuerySet[M]:
        return self._build(*keys)

    def _plan(self) -> _Plan:
        connection = connections[self._using]
        # One plan per database settings (the tests switch databases; SQL differs between backends).
        marker = f"{connection.vendor}:{connection.settings_dict['NAME']}"
        plan = self._plans.get(marker)
        if plan is None:
            query = self._build(*self._sentinels).query
            compiler = query.get_compiler(using=self._using)
            sql, params = compiler.as_sql()
            prepared = [_prepared(key, connection) for key in self._sentinels]
            positions = tuple(
                tuple(i for i, p in enumerate(params) if type(p) is type(key) and p == key)
                for key in prepared
            )
            if not all(positions):
                raise ValueError("each key of a compiled read must be a parameter of its SQL")
            klass_info = compiler.klass_info
            select = compiler.select
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            plan = _Plan(
                sql=sql,
                params=tuple(params),
                key_positions=positions,
                converters=list(
                    compiler.get_converters([s[0] for s in select[: compiler.col_count]]).items()
                ),
                model=klass_info["model"],
                init_list=[f[0].target.attname for f in select[start:end]],
                field_slice=slice(start, end),
                populators=get_related_populators(klass_info, select, self._using),  # type: ignore[call-arg]  # stubs: Django 6's signature
                locks=query.select_for_update,
            )
            self._plans[marker] = plan
        return plan

    def _rows(self, plan: _Plan, keys: tuple[Any, ...], limit: int | None) -> list[M]:
        connection = connections[self._using]
        if len(keys) != len(self._sentinels) or any(key is None for key in keys):
            raise ValueError(f"this compiled read takes {len(self._sentinels)} key(s), none of them None")
        if plan.locks and connection.features.has_select_for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(plan.params)
        for key, where in zip(keys, plan.key_positions, strict=True):
            value = _prepared(key, connection)
            for i in where:
                params[i] = value
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall() if limit is None else cursor.fetchmany(limit)
        objs = []
        for raw in rows:
            row = _converted(raw, plan.converters, connection) if plan.converters else raw
            obj = plan.model.from_db(self._using, plan.init_list, row[plan.field_slice])
            for populator in plan.populators:
                populator.populate(row, obj)
            objs.append(obj)
        return objs

    def all(self, *keys: Any) -> list[M]:
        return self._rows(self._plan(), keys, None)

    def get(self, *keys: Any) -> M:
        plan = self._plan()
        rows = self._rows(plan, keys, 2)
        if not rows:
            raise plan.model.DoesNotExist(f"{plan.model._meta.object_name} matching query does not exist.")
        if len(rows) > 1:
            raise plan.model.MultipleObjectsReturned(f"more than one {plan.model._meta.object_name} returned")
        return rows[0]


def _converted(row: Any, converters: list[tuple[int, tuple[list[Any], Any]]], connection: Any) -> list[Any]:
    """The row with each column's database converters applied (as SQLCompiler.apply_converters)."""
    values = list(row)
    for pos, (convs, expression) in converters:
        value = values[pos]
        for converter in convs:
            value = converter(value, expression, connection)
        values[pos] = value
    return values


# --- reads narrowed by a condition of varying shape ----------------------------------------------------

_KEY_TYPES = (int, str, dt.date, dt.datetime)
_SHAPE_VALUES = (type(None), bool, tuple, list, frozenset)  # part of a shape, compared by their repr


def _shape(condition: Q, keys: list[Any]) -> Any:
    """The condition's structure with each key (an int, str, date or aware datetime) replaced by its type,
    appended to ``keys``; None when a value is of another kind (a model instance, an expression)."""
    children = []
    for child in condition.children:
        if isinstance(child, Q):
            inner = _shape(child, keys)
            if inner is None:
                return None
            children.append(inner)
            continue
        if not isinstance(child, tuple) or len(child) != 2:
            return None  # not a (lookup, value) pair: another kind of node
        lookup, value = child
        kind = _key_type(value)
        if kind is not None:
            keys.append(value)
            children.append((lookup, kind))
        elif type(value) in _SHAPE_VALUES and all(type(v) in (int, str, type(None)) for v in _items(value)):
            children.append((lookup, repr(value)))
        else:
            return None
    return (condition.connector, condition.negated, tuple(children))


def _key_type(value: Any) -> type | None:
    """The key type a condition's value binds as (a choices member as its str or int), None if no key."""
    if isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return dt.datetime if timezone.is_aware(value) else None
    for kind in (int, str, dt.date):
        if isinstance(value, kind):
            return kind
    return None


def _items(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, (tuple, list, frozenset)) else ()


def _rebuilt(shape: Any, original: Q, keys: list[Any]) -> Q:
    """``original`` with its keys replaced, in order, by ``keys`` (consumed)."""
    children: list[Any] = []
    for child, child_shape in zip(original.children, shape[2], strict=True):
        if isinstance(child, Q):
            children.append(_rebuilt(child_shape, child, keys))
        elif isinstance(child, tuple) and child_shape[1] in _KEY_TYPES:
            children.append((child[0], keys.pop(0)))
        else:
            children.append(child)
    return Q(*children, _connector=original.connector, _negated=original.negated)


class ShapedRead(Generic[M]):
    """``build(condition)`` returns the queryset narrowed by a Q whose shape varies between callers (e.g. an
    access policy's, by the kind of user). Each shape seen gets its own `CompiledRead`, the condition's values
    its keys; a shape that cannot be compiled so (a value that is no key, a condition matching nothing,
    more than ``max_shapes`` shapes) is read by the ORM, with the same result."""

    def __init__(
        self, build: Callable[[Q], QuerySet[M]], *, using: str = "default", max_shapes: int = 64
    ) -> None:
        self._build = build
        self._using = using
        self._max = max_shapes
        self._reads: dict[tuple[str, Any], CompiledRead[M] | None] = {}

    def _read(self, condition: Q, keys: list[Any]) -> CompiledRead[M] | None:
        shape = _shape(condition, keys)
        if shape is None:
            return None
        connection = connections[self._using]
        marker = (f"{connection.vendor}:{connection.settings_dict['NAME']}", shape)
        if marker in self._reads:
            return self._reads[marker]
        if len(self._reads) >= self._max:
            return None
        template = condition

        def build(*values: Any) -> QuerySet[M]:
            return self._build(_rebuilt(shape, template, list(values)))

        read: CompiledRead[M] | None = CompiledRead(
            build, keys=tuple(_key_type(k) or object for k in keys), using=self._using
        )
        try:
            read._plan()  # type: ignore[union-attr]
        except (ValueError, TypeError, EmptyResultSet):
            read = None  # a key the SQL does not carry as itself, or a condition matching nothing
        self._reads[marker] = read
        return read

    def get(self, condition: Q) -> M:
        """The single row the condition matches, as ``build(condition).get()``."""
        keys: list[Any] = []
        read = self._read(condition, keys)
        if read is None:
            return self._build(condition).get()
        return read.get(*keys)
