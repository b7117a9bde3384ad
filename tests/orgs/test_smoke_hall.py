def test_hall_persona_has_named_staff_and_windows(hall):
    assert hall.town.name == "启东市吕四港镇为民服务中心"
    assert hall.village.parent == hall.town
    assert hall.front_desk.has_role("front_desk")
    assert len(hall.windows) == 4
