from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govhall.accounts.forms import LoginForm
from govhall.accounts.models import ApiToken
from govhall.accounts.selectors import api_tokens_of
from govhall.accounts.tokens import token_create, token_revoke
from govhall.core.provisional import year_banner


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    centre = getattr(user, "centre", None)
    return render(
        request,
        "accounts/home.html",
        {"centre": centre, "roles": user.role_rows.all(), "year_banner": year_banner(timezone.localdate())},
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    new_token = None
    if request.method == "POST":
        if "revoke" in request.POST:
            row = get_object_or_404(ApiToken, pk=request.POST["revoke"], user=user)
            token_revoke(token=row, actor=user)
            messages.success(request, "令牌已吊销。")
            return redirect("accounts:tokens")
        name = (request.POST.get("name") or "").strip()
        if not name:
            messages.error(request, "请填写令牌用途。")
        else:
            _, new_token = token_create(user=user, name=name[:60])
    rows = api_tokens_of(user)
    return render(request, "accounts/tokens.html", {"rows": rows, "new_token": new_token})
