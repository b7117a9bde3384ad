"""The staff vocabulary every app checks against: role codes and unit kinds. They live in core, below
`accounts` (whose `User` and `UserRole` store them), so that core's shared predicates (`core.policy`,
`core.pii`) can name roles without importing an app above them. `govhall.accounts.models` re-exports both."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", "局管理员"
    DIRECTOR = "director", "中心主任"
    FRONT_DESK = "front_desk", "前台受理员"
    BACK_OFFICE = "back_office", "后台审批员"
    GUIDE = "guide", "导服员"
    AGENT = "agent", "代办员"
    VILLAGE_CLERK = "village_clerk", "村便民服务员"
    DEPT_LIAISON = "dept_liaison", "部门联络员"
    INSPECTOR = "inspector", "考核员"


class UnitKind(models.TextChoices):
    BUREAU = "bureau", "市行政审批局"
    CENTRE = "centre", "服务中心"
    DEPARTMENT = "department", "部门"
