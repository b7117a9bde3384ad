from __future__ import annotations

from django.core.exceptions import ValidationError


class LettersAndDigitsValidator:
    """A password must mix letters and digits (the 10-character minimum is Django's own validator)."""

    def validate(self, password: str, user: object = None) -> None:
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError("密码必须同时包含字母和数字。", code="password_letters_digits")

    def get_help_text(self) -> str:
        return "密码至少10位，且同时包含字母和数字。"
