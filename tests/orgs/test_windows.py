"""Which window takes which matter: one rule (`orgs.windows.window_takes`) for receiving, the new-case
wizard's matter list and the queues. Each case below is one where the three old copies disagreed."""

from __future__ import annotations

from dataclasses import dataclass

from govhall.orgs.models import Window, WindowClass
from govhall.orgs.windows import window_takes

POLICE, CIVIL = 7, 8


@dataclass(frozen=True)
class Matter:
    window_class: str
    window_department_id: int | None = None


def window(klass: str, department_id: int | None = None) -> Window:
    return Window(centre_id=1, number=1, name="", window_class=klass, department_id=department_id)


def test_a_classified_window_takes_only_its_class():
    """SITE-5, MODE-1: a 民生 window takes 民生 matters, not 建设 ones."""
    minsheng = window(WindowClass.MINSHENG)
    assert window_takes(minsheng, Matter(WindowClass.MINSHENG), desks=[])
    assert not window_takes(minsheng, Matter(WindowClass.JIANSHE), desks=[])


def test_a_quanke_window_takes_every_comprehensive_class():
    """SITE-5: the 全科窗口 merges the classified comprehensive windows."""
    quanke = window(WindowClass.QUANKE)
    for klass in (WindowClass.MINSHENG, WindowClass.JIANSHE, WindowClass.SHIZHENG, WindowClass.QITA):
        assert window_takes(quanke, Matter(klass), desks=[])


def test_a_quanke_window_leaves_a_professional_matter_to_its_desk_where_there_is_one():
    """SITE-5: where the town has a 公安 专窗, a 公安 matter is received there, not at the 全科 window
    (the receiving check and the wizard used to let the 全科 window take it; the queue did not)."""
    desks = [window(WindowClass.QUANKE), window(WindowClass.PROFESSIONAL, POLICE)]
    assert not window_takes(desks[0], Matter(WindowClass.PROFESSIONAL, POLICE), desks=desks)


def test_a_quanke_window_takes_a_professional_matter_where_its_centre_has_no_such_desk():
    """SITE-5 一窗受(办)理: a village runs only 全科 windows and takes every matter of its catalogue."""
    desks = [window(WindowClass.QUANKE), window(WindowClass.PROFESSIONAL, CIVIL)]
    assert window_takes(desks[0], Matter(WindowClass.PROFESSIONAL, POLICE), desks=desks)


def test_a_professional_window_takes_only_its_departments_professional_matters():
    """SITE-5, MODE-1: a 专窗 takes its department's professional matters; a comprehensive matter of the
    same department goes to its comprehensive window (the receiving check used to let the 专窗 take it)."""
    police = window(WindowClass.PROFESSIONAL, POLICE)
    assert window_takes(police, Matter(WindowClass.PROFESSIONAL, POLICE), desks=[])
    assert not window_takes(police, Matter(WindowClass.PROFESSIONAL, CIVIL), desks=[])
    assert not window_takes(police, Matter(WindowClass.MINSHENG, POLICE), desks=[])
