"""A model read of a fixed shape whose SQL is compiled once per process and database (issue 15).

Django compiles a queryset's SQL on every execution. For a wide ``select_related`` read that is most of its
cost: the case's locking read (12 tables, 221 columns) takes ~2.5 ms of CPU to compile and ~0.2 ms to run.
`CompiledRead` keeps what the compiler produced for one queryset shape (the SQL, the column converters, the
related-object populators) and runs it again with only its keys changed, building the same model instances
Django's own ``ModelIterable`` builds (it follows Django 5.2's implementation).

Use it only for reads whose shape never changes (no user-dependent filters) and that run on every action of
a hot path; `tests/cases/test_compiled_reads.py` compares each one with the ORM's own result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)


# The keys a shape is compiled with, replaced by the real keys at each run: values no row holds, one per key.
def _sentinel(kind: type, i: int) -> Any:
    if kind is int:
        return -7_340_001_993 - i
    if kind is str:
        return f"\u2063govhall-compiled-key-{i}"
    raise TypeError(f"a compiled read's key is an int or a str, not {kind.__name__}")


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
    each key used as a plain ``=`` parameter; ``keys`` gives their types (int or str). ``get(*keys)`` returns
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
            positions = tuple(
                tuple(i for i, p in enumerate(params) if type(p) is type(key) and p == key)
                for key in self._sentinels
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
            for i in where:
                params[i] = key
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
