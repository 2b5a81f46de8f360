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
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy

RESETS_PER_HOUR = 3


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
        key = "password-reset:" + hashlib.sha256(address.encode()).hexdigest()
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > RESETS_PER_HOUR:
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
