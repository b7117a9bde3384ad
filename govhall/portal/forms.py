"""Portal forms: presence, lengths and matching passwords here; the rules (formats, check digits, codes,
limits) live in the services, whose field errors are attached back to these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import ErrorDict

from govhall.core.errors import ServiceError
from govhall.portal.models import AccountKind

MOBILE_ATTRS = {"autocomplete": "tel", "inputmode": "numeric", "maxlength": "14"}
CODE_ATTRS = {"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "6"}
NEW_PASSWORD_ATTRS = {"autocomplete": "new-password"}
RULES_HELP = "至少10位，且同时包含字母和数字。"


def attach(form: forms.Form, exc: ServiceError) -> None:
    """Put a service error's field messages on the form's fields (or on the form when unknown)."""
    placed = False
    for name, message in exc.fields.items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def show_error(form: forms.Form, field: str | None, message: str) -> None:
    """An error on a form that was not submitted as a whole (the "获取验证码" button shows the form again
    with the visitor's entries as initial values)."""
    if not form.is_bound and getattr(form, "_errors", None) is None:
        form._errors = ErrorDict()  # type: ignore[attr-defined]
        form.cleaned_data = {}
    form.add_error(field if field in form.fields else None, message)


class PortalForm(forms.Form):
    """No label suffix: a Chinese label takes no colon (Django's __init__ would put back its ":")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class _PasswordPair(PortalForm):
    password = forms.CharField(
        label="设置密码",
        widget=forms.PasswordInput(attrs=NEW_PASSWORD_ATTRS),
        help_text=RULES_HELP,
        max_length=128,
    )
    password2 = forms.CharField(
        label="再次输入密码", widget=forms.PasswordInput(attrs=NEW_PASSWORD_ATTRS), max_length=128
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", "两次输入的密码不一致。")
        return data


class RegisterForm(_PasswordPair):
    kind = forms.ChoiceField(
        label="账户类型", choices=AccountKind.choices, initial=AccountKind.PERSON, widget=forms.RadioSelect
    )
    mobile = forms.CharField(label="手机号码", max_length=14, widget=forms.TextInput(attrs=MOBILE_ATTRS))
    code = forms.CharField(
        label="短信验证码", max_length=6, required=False, widget=forms.TextInput(attrs=CODE_ATTRS)
    )
    agree = forms.BooleanField(label="我已阅读并同意《用户服务协议》和《个人信息保护说明》", required=False)

    field_order = ["kind", "mobile", "code", "password", "password2", "agree"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("code"):
            self.add_error("code", "请填写短信验证码。")
        if not data.get("agree"):
            self.add_error("agree", "请阅读并同意用户服务协议。")
        return data


class SendCodeForm(PortalForm):
    mobile = forms.CharField(label="手机号码", max_length=14, widget=forms.TextInput(attrs=MOBILE_ATTRS))


class LoginForm(PortalForm):
    mobile = forms.CharField(label="手机号码", max_length=14, widget=forms.TextInput(attrs=MOBILE_ATTRS))
    password = forms.CharField(
        label="密码", max_length=128, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ResetForm(_PasswordPair):
    mobile = forms.CharField(label="手机号码", max_length=14, widget=forms.TextInput(attrs=MOBILE_ATTRS))
    code = forms.CharField(
        label="短信验证码", max_length=6, required=False, widget=forms.TextInput(attrs=CODE_ATTRS)
    )

    field_order = ["mobile", "code", "password", "password2"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("code"):
            self.add_error("code", "请填写短信验证码。")
        return data


class PersonVerifyForm(PortalForm):
    real_name = forms.CharField(
        label="姓名", max_length=40, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(label="居民身份证号码", max_length=18, help_text="18位，最后一位可能是X。")


class EnterpriseVerifyForm(PortalForm):
    org_name = forms.CharField(
        label="企业名称", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, help_text="营业执照上的18位代码。")
    legal_rep_name = forms.CharField(label="法定代表人姓名", max_length=40)
    legal_rep_id_number = forms.CharField(label="法定代表人居民身份证号码", max_length=18)


class TrackForm(PortalForm):
    number = forms.CharField(
        label="办件编号", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    password = forms.CharField(
        label="查询密码",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="见受理通知书或短信。",
    )


class LinkPasswordForm(PortalForm):
    number = forms.CharField(
        label="办件编号",
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        help_text="见受理通知书或短信，如 202603150930-320681100201-00042。",
    )
    password = forms.CharField(
        label="查询密码",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="见受理通知书或短信，6位字母和数字。",
    )


class LinkSmsForm(PortalForm):
    number = forms.CharField(
        label="办件编号",
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        widget=forms.TextInput(attrs=CODE_ATTRS),
        help_text="发送到办件登记的申请人手机。",
    )
