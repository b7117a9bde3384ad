from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续失败5次，账号将被锁定15分钟。",
        "inactive": "该账号已停用，请联系中心管理员。",
    }
