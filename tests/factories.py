"""factory-boy factories for the organisation and staff. Apps add their own in tests/<app>/."""

from __future__ import annotations

import factory

from govhall.accounts.models import User, UserRole
from govhall.orgs.models import (
    Centre,
    CentreLevel,
    Department,
    Division,
    DivisionKind,
    Post,
    Window,
    WindowClass,
)
from govhall.orgs.naming import town_centre_name, village_centre_name

PASSWORD = "Passw0rd2026"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.LazyAttribute(lambda o: f"启东市{o.short_name}局")
    short_name = factory.Sequence(lambda n: f"部门{n}")


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division

    # 12-digit codes: the sequence runs across the whole session, so wrap it (each test rolls back).
    code = factory.Sequence(lambda n: f"320681{200 + n % 700:03d}000")
    name = factory.Sequence(lambda n: f"测试{n}镇")
    kind = DivisionKind.TOWN
    town_class = 3


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division

    parent = factory.SubFactory(TownFactory)
    code = factory.Sequence(lambda n: f"320681999{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"测试{n}村")
    register_name = factory.LazyAttribute(lambda o: o.name + "委会")
    kind = DivisionKind.VILLAGE


class TownCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre

    division = factory.SubFactory(TownFactory)
    level = CentreLevel.TOWN
    name = factory.LazyAttribute(lambda o: town_centre_name(o.division.name))


class VillageCentreFactory(factory.django.DjangoModelFactory):
    """A village centre; pass parent=<town centre> to place it under an existing town."""

    class Meta:
        model = Centre

    parent = factory.SubFactory(TownCentreFactory)
    division = factory.LazyAttribute(lambda o: VillageFactory(parent=o.parent.division))
    level = CentreLevel.VILLAGE
    name = factory.LazyAttribute(lambda o: village_centre_name(o.parent.division.name, o.division.name))


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Window

    centre = factory.SubFactory(TownCentreFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: WindowClass(o.window_class).label)
    window_class = WindowClass.MINSHENG


class UserFactory(factory.django.DjangoModelFactory):
    """Staff member. `roles=[Role.FRONT_DESK, ...]`; password is factories.PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    full_name = factory.Sequence(lambda n: f"工作人员{n}")
    staff_no = factory.Sequence(lambda n: f"T{n:05d}")
    unit_kind = "centre"
    centre = factory.SubFactory(TownCentreFactory)

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: object) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()

    @factory.post_generation
    def roles(obj: User, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for role in extracted or []:
            UserRole.objects.create(user=obj, role=role)
        obj.__dict__.pop("_role_codes", None)


def bureau_user(**kwargs: object) -> User:
    from govhall.accounts.models import Role

    kwargs.setdefault("roles", [Role.BUREAU_ADMIN])
    return UserFactory(unit_kind="bureau", centre=None, **kwargs)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    centre = factory.SubFactory(TownCentreFactory)
    name = factory.Sequence(lambda n: f"岗位{n}")
    a_staff = factory.LazyAttribute(lambda o: UserFactory(centre=o.centre))
    b_staff = factory.LazyAttribute(lambda o: UserFactory(centre=o.centre))
