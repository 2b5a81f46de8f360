"""Server-rendered pages: the design list, the editor shell, accounts and API tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from designs.models import ApiToken, Design, Membership
from designs.permissions import page_design


class DesignForm(forms.Form):
    name = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"placeholder": "e.g. Billing service"}))


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, required=False, widget=forms.TextInput(attrs={"placeholder": "e.g. laptop CLI"})
    )


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=False, help_text="Optional; teammates can invite you by it.")

    class Meta:
        model = User
        fields = ("username", "email")


def authenticated(request: HttpRequest) -> User:
    """The logged-in user of a ``login_required`` view."""
    assert isinstance(request.user, User)
    return request.user


def home(request: HttpRequest) -> HttpResponse:
    return redirect("design-list" if request.user.is_authenticated else "login")


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("design-list")
    form = SignupForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}! Create your first design below.")
        # An invitation or share link sends new people here with ?next= to come back to it.
        if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            return redirect(next_url)
        return redirect("design-list")
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


@login_required
def design_list(request: HttpRequest) -> HttpResponse:
    form = DesignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        design = Design.create(owner=request.user, name=form.cleaned_data["name"])
        return redirect("design-editor", slug=design.slug)
    memberships = (
        Membership.objects.filter(user=authenticated(request))
        .select_related("design", "design__owner")
        .order_by("-design__updated_at")
    )
    designs = []
    for m in memberships:
        doc = m.design.document or {}
        designs.append(
            {
                "design": m.design,
                "role": m.role,
                "tables": len(doc.get("tables", [])),
                "relationships": len(doc.get("relationships", [])),
            }
        )
    from designs.import_views import ImportForm, form_context

    context = {"designs": designs, "form": form, "import": form_context(ImportForm())}
    return render(request, "designs/design_list.html", context)


@login_required
def design_editor(request: HttpRequest, slug: str) -> HttpResponse:
    design, role = page_design(request.user, slug)
    config: dict[str, Any] = {
        "designId": design.pk,
        "slug": design.slug,
        "name": design.name,
        "role": role,
        "user": request.user.get_username(),
        "apiBase": "/api",
        "revision": design.revision_number,
    }
    return render(request, "designs/editor.html", {"design": design, "role": role, "editor_config": config})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _, new_token = ApiToken.issue(request.user, form.cleaned_data["name"])
        form = TokenForm()
    rows = ApiToken.objects.filter(user=authenticated(request), revoked_at__isnull=True)
    return render(request, "accounts/tokens.html", {"tokens": rows, "form": form, "new_token": new_token})


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user, revoked_at__isnull=True)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    messages.success(request, f"Revoked token “{token.name}”.")
    return redirect(reverse("tokens"))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponseBase:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found"}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponseBase:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Internal error; it has been logged"}, status=500)
    return render(request, "500.html", status=500)
