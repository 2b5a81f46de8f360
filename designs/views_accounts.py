"""Password change for a signed-in person, and password reset by email for one who forgot it.

Django's own views do the work (tokens that expire and die with a password change, no answer that
tells whether an address has an account); these give them the app's pages and messages. The
templates live under ``accounts/``: ``registration/`` would be shadowed by the admin's own pages.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy

RESETS_PER_HOUR = 3
FAILED_LOGINS = 10  # per username and address, within LOGIN_WINDOW seconds
LOGIN_WINDOW = 15 * 60


def counted(key: str, window: int) -> int:
    """Add one to the count under ``key`` (which starts with its first event and lasts ``window`` seconds)."""
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between the two calls: this event starts a new one
        cache.set(key, 1, timeout=window)
        return 1


class Login(auth_views.LoginView):
    """Django's log-in, refusing a name from one address after ``FAILED_LOGINS`` wrong passwords in a row.

    Counted per name *and* address, so guessing is slowed without letting anyone lock a person out from
    everywhere; a successful log-in clears the count, the window ends it.
    """

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if cache.get(self._key(), 0) >= FAILED_LOGINS:
            # An unbound form: a bound one would check the password while it is being refused.
            form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")})
            wait = LOGIN_WINDOW // 60
            refused = f"Too many wrong passwords for this name. Wait {wait} minutes, or reset the password."
            return self.render_to_response(self.get_context_data(form=form, refused=refused), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        cache.delete(self._key())
        return super().form_valid(form)

    def form_invalid(self, form: Any) -> HttpResponse:
        counted(self._key(), LOGIN_WINDOW)
        return super().form_invalid(form)

    def _key(self) -> str:
        name = self.request.POST.get("username", "").strip().lower()
        who = f"{name}\n{self.request.META.get('REMOTE_ADDR', '')}"
        return "failed-login:" + hashlib.sha256(who.encode()).hexdigest()


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("design-list")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password is changed. Your other sessions are signed out.")
        return response


class PasswordReset(auth_views.PasswordResetView):
    """Sends at most ``RESETS_PER_HOUR`` links to one address an hour, so the form cannot flood an inbox.

    Past the limit the person sees the same page as always (nothing says whether a mail went out).
    """

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-sent")

    def form_valid(self, form: Any) -> HttpResponse:
        address = form.cleaned_data["email"].strip().lower()
        if counted("password-reset:" + hashlib.sha256(address.encode()).hexdigest(), 3600) > RESETS_PER_HOUR:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetSent(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {"timeout_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)}


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """The link's page: a valid link signs the person in once the new password is set."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("design-list")
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your new password is set, and you are signed in.")
        return response
