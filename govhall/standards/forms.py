from __future__ import annotations

from typing import Any

from django import forms

from govhall.standards.models import Op


class CopyForm(forms.Form):
    version = forms.CharField(label="新版本号", max_length=20, help_text="如 2026-01")


class RuleEditForm(forms.Form):
    """What the bureau changes in a draft version's rule: comparison, thresholds, weight, on/off."""

    op = forms.ChoiceField(label="比较", choices=[("", "—"), *Op.choices], required=False)
    value = forms.DecimalField(label="阈值", max_digits=10, decimal_places=2, required=False)
    value_max = forms.DecimalField(label="阈值上限", max_digits=10, decimal_places=2, required=False)
    weight = forms.DecimalField(label="分值", max_digits=5, decimal_places=1, min_value=0, max_value=100)
    is_active = forms.BooleanField(label="启用", required=False)

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {k: v for k, v in data.items() if not (k == "op" and v == "")}
