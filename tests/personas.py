"""Named personas, like healthchecks' BaseTestCase: one small town with a village, and its people.

Use the `hall` fixture (tests/conftest.py): hall.town, hall.village, hall.other_village, hall.director,
hall.front_desk, hall.back_office, hall.guide, hall.agent, hall.village_clerk, hall.other_village_clerk,
hall.bureau_admin, hall.inspector, hall.windows (dict by class)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govhall.accounts.models import Role
from govhall.orgs.models import Centre, WindowClass
from tests.factories import TownCentreFactory, UserFactory, VillageCentreFactory, WindowFactory, bureau_user


@dataclass
class Hall:
    town: Centre
    village: Centre
    other_village: Centre
    people: dict[str, Any] = field(default_factory=dict)
    windows: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.people[name]
        except KeyError:
            raise AttributeError(name) from None


def make_hall() -> Hall:
    town = TownCentreFactory(division__name="吕四港镇", division__town_class=1)
    village = VillageCentreFactory(parent=town)
    other_village = VillageCentreFactory(parent=town)
    hall = Hall(town=town, village=village, other_village=other_village)
    hall.people = {
        "director": UserFactory(centre=town, roles=[Role.DIRECTOR], full_name="陈主任"),
        "front_desk": UserFactory(centre=town, roles=[Role.FRONT_DESK], full_name="王晓燕"),
        "back_office": UserFactory(centre=town, roles=[Role.BACK_OFFICE], full_name="张海峰"),
        "guide": UserFactory(centre=town, roles=[Role.GUIDE], full_name="赵导服"),
        "agent": UserFactory(centre=town, roles=[Role.AGENT], full_name="孙代办"),
        "village_clerk": UserFactory(centre=village, roles=[Role.VILLAGE_CLERK], full_name="冯村干"),
        "other_village_clerk": UserFactory(
            centre=other_village, roles=[Role.VILLAGE_CLERK], full_name="蒋村干"
        ),
        "bureau_admin": bureau_user(full_name="周局长"),
        "inspector": bureau_user(full_name="钱考核", roles=[Role.INSPECTOR]),
    }
    for number, klass in enumerate(
        [WindowClass.MINSHENG, WindowClass.JIANSHE, WindowClass.SHIZHENG, WindowClass.QITA], start=1
    ):
        hall.windows[klass] = WindowFactory(centre=town, number=number, window_class=klass)
    return hall
