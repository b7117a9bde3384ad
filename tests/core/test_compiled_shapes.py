"""Issue 15: `core.compiled.ShapedRead` compiles a read narrowed by a condition whose shape varies (an access
policy's Q) once per shape, binding the condition's values as keys. Conditions it cannot bind are read by the
ORM; every answer is the ORM's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q

from govhall.core.compiled import ShapedRead, _shape
from govhall.orgs.models import Centre

pytestmark = pytest.mark.django_db


def _reads(hall):
    read: ShapedRead[Centre] = ShapedRead(lambda c: Centre.objects.filter(c).select_related("parent"))
    return read, hall.town, hall.village


def test_one_compiled_read_per_shape_with_the_values_as_keys(hall):
    read, town, village = _reads(hall)
    assert read.get(Q(pk=town.pk)) == town
    assert read.get(Q(pk=village.pk)) == village  # same shape, another key
    assert read.get(Q(pk=village.pk) & (Q(parent_id=town.pk) | Q(name=village.name))).parent == town
    assert read.get(Q(name=town.name)) == town
    assert len([r for r in read._reads.values() if r is not None]) == 3


def _compiled(read, condition):
    """Whether the condition's shape has a compiled read (not the ORM's)."""
    return read._read(condition, []) is not None


def test_lists_none_and_booleans_are_part_of_the_shape_and_choices_members_are_keys(hall):
    """A list, None or a boolean is compiled into the shape's SQL (another list is another shape); a
    choices member binds as its string. Each answer is the ORM's."""
    from govhall.orgs.models import CentreLevel

    read, town, village = _reads(hall)
    listed = Q(pk__in=[town.pk, village.pk], parent_id=town.pk)
    assert read.get(listed) == village and _compiled(read, listed)
    other_list = Q(pk__in=[village.pk], parent_id=town.pk)
    assert read.get(other_list) == village
    assert read._read(other_list, []) is not read._read(listed, [])
    flagged = Q(pk=village.pk, parent__isnull=False)
    assert read.get(flagged) == village and _compiled(read, flagged)
    with pytest.raises(Centre.DoesNotExist):
        read.get(Q(pk=village.pk, parent__isnull=True))
    nulled = Q(pk=town.pk, parent=None)
    assert read.get(nulled) == town and _compiled(read, nulled)
    level = Q(pk=town.pk, level=town.level)
    assert isinstance(CentreLevel(town.level), CentreLevel)
    member = Q(pk=town.pk, level=CentreLevel(town.level))
    assert read.get(member) == town and _compiled(read, member)
    assert read.get(level) == town


def test_a_condition_matching_nothing_or_no_row_raises_as_the_orm_does(hall):
    read, town, _ = _reads(hall)
    with pytest.raises(Centre.DoesNotExist):
        read.get(Q(pk__in=[]))  # EmptyResultSet when compiled: read by the ORM
    with pytest.raises(Centre.DoesNotExist):
        read.get(Q(pk=town.pk) & Q(parent_id=town.pk))
    with pytest.raises(Centre.MultipleObjectsReturned):
        read.get(Q(pk=town.pk) | Q(parent_id=town.pk))


def test_values_that_are_no_keys_are_read_by_the_orm_with_the_same_answer(hall):
    read, town, village = _reads(hall)
    instance = Q(pk=village.pk, parent=town)
    assert read.get(instance) == village and not _compiled(read, instance)  # a model instance
    contains = Q(name__icontains=village.name[-2:], pk=village.pk)
    assert read.get(contains) == village and not _compiled(read, contains)  # '%…%' is not the key
    assert not _compiled(read, Q(pk__in=[]))  # matches nothing: Django runs no query for it
    keys: list = []
    assert _shape(Q(pk=town.pk, at__lte=dt.datetime(2026, 3, 10, 9, 0)), keys) is None  # a naive datetime
    aware = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    keys = []
    assert _shape(Q(pk=town.pk, at__lte=aware), keys) is not None and keys == [aware, town.pk]  # Q sorts


def test_past_the_shape_limit_reads_go_to_the_orm(hall):
    read: ShapedRead[Centre] = ShapedRead(lambda c: Centre.objects.filter(c), max_shapes=1)
    town, village = hall.town, hall.village
    assert read.get(Q(pk=town.pk)) == town
    assert read.get(Q(name=village.name)) == village
    assert len(read._reads) == 1
