"""Server-rendered pages for members and sharing: the members page, and following an invitation or share link."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from designs import sharing
from designs.models import Invitation, Role, ShareLink, hash_token
from designs.permissions import page_design

ROLE_HELP = {
    Role.OWNER: "everything, including members and sharing",
    Role.EDITOR: "edits the design",
    Role.COMMENTER: "reads and comments",
    Role.VIEWER: "reads only",
}


class InviteForm(forms.Form):
    who = forms.CharField(
        label="Username or email",
        max_length=254,
        widget=forms.TextInput(attrs={"placeholder": "e.g. alice or alice@example.com", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(choices=[(r.value, r.label) for r in Role], initial=Role.EDITOR)


class ShareLinkForm(forms.Form):
    role = forms.ChoiceField(
        label="Joins as", choices=[(r.value, r.label) for r in sharing.CAPPABLE_ROLES], initial=Role.VIEWER
    )
    days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(1, "1 day"), (7, "7 days"), (30, "30 days"), (90, "90 days")],
        initial=7,
    )


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """Who is in the design; the owner also invites, changes roles and manages share links here."""
    design, role = page_design(request.user, slug)
    is_owner = role == Role.OWNER
    invite_form, link_form = InviteForm(prefix="invite"), ShareLinkForm(prefix="link")
    new_link = new_invitation_link = None
    if request.method == "POST":
        if not is_owner:
            messages.error(request, "Only an owner can change members and sharing.")
            return redirect("design-members", slug=slug)
        action = request.POST.get("action", "")
        try:
            if action == "invite":
                invite_form = InviteForm(request.POST, prefix="invite")
                if invite_form.is_valid():
                    done = sharing.invite(
                        design,
                        request.user,
                        invite_form.cleaned_data["who"],
                        invite_form.cleaned_data["role"],
                        lambda t: request.build_absolute_uri(reverse("invitation", args=[t])),
                    )
                    if done.membership is not None:
                        name = done.membership.user.get_username()
                        sharing.notify_membership_changed(design.pk, name)
                        role_now = done.membership.role
                        text = f"Added {name} as {role_now}." if done.created else f"{name} is now {role_now}."
                        messages.success(request, text)
                        return redirect("design-members", slug=slug)
                    assert done.invitation is not None
                    new_invitation_link = request.build_absolute_uri(reverse("invitation", args=[done.token]))
                    messages.success(request, f"Invitation emailed to {done.invitation.email}.")
                    invite_form = InviteForm(prefix="invite")
            elif action == "role":
                member = design.memberships.select_related("user").get(pk=int(request.POST.get("member", 0)))
                sharing.set_role(design, member.user, Role(request.POST.get("role", "")))
                sharing.notify_membership_changed(design.pk, member.user.get_username())
                messages.success(request, f"{member.user.get_username()} is now {request.POST.get('role')}.")
                return redirect("design-members", slug=slug)
            elif action == "remove":
                member = design.memberships.select_related("user").get(pk=int(request.POST.get("member", 0)))
                sharing.ensure_an_owner_remains(design, member, None)
                member.delete()
                sharing.notify_membership_changed(design.pk, member.user.get_username())
                messages.success(request, f"Removed {member.user.get_username()}.")
                return redirect("design-members", slug=slug)
            elif action == "revoke-invitation":
                sharing.revoke(get_object_or_404(Invitation, design=design, pk=int(request.POST.get("id", 0))))
                messages.success(request, "Invitation withdrawn.")
                return redirect("design-members", slug=slug)
            elif action == "link":
                link_form = ShareLinkForm(request.POST, prefix="link")
                if link_form.is_valid():
                    _, token = sharing.create_share_link(
                        design, request.user, link_form.cleaned_data["role"], link_form.cleaned_data["days"]
                    )
                    new_link = request.build_absolute_uri(reverse("share-link", args=[token]))
                    link_form = ShareLinkForm(prefix="link")
            elif action == "revoke-link":
                sharing.revoke(get_object_or_404(ShareLink, design=design, pk=int(request.POST.get("id", 0))))
                messages.success(request, "Share link revoked: it no longer works.")
                return redirect("design-members", slug=slug)
        except sharing.SharingError as exc:
            if exc.field == "who":
                invite_form.add_error("who", exc.message)
            else:
                messages.error(request, exc.message)
        except (ValueError, design.memberships.model.DoesNotExist):
            messages.error(request, "That member is no longer in this design.")
            return redirect("design-members", slug=slug)
    context: dict[str, Any] = {
        "design": design,
        "role": role,
        "is_owner": is_owner,
        "members": design.memberships.select_related("user").order_by("created_at"),
        "roles": [(r.value, ROLE_HELP[r]) for r in Role],
        "invite_form": invite_form,
        "link_form": link_form,
        "invitations": sharing.pending_invitations(design) if is_owner else [],
        "links": sharing.active_share_links(design) if is_owner else [],
        "new_link": new_link,
        "new_invitation_link": new_invitation_link,
    }
    return render(request, "designs/members.html", context)


def _join_page(request: HttpRequest, kind: str, token: str, title: str, detail: str, status: int = 200) -> HttpResponse:
    here = request.get_full_path()
    context = {
        "kind": kind,
        "title": title,
        "detail": detail,
        "login_url": f"{reverse('login')}?{urlencode({'next': here})}",
        "signup_url": f"{reverse('signup')}?{urlencode({'next': here})}",
        "failed": status >= 400,
    }
    return render(request, "designs/join.html", context, status=status)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link: accepted at once when logged in; otherwise log in or sign up first."""
    if not request.user.is_authenticated:
        row = Invitation.objects.select_related("design").filter(token_hash=hash_token(token)).first()
        if row is None or not row.pending:
            return _join_page(request, "invitation", token, "This invitation cannot be used", _why(row), 410)
        detail = f"You are invited to “{row.design.name}” as {row.role}. Log in or create an account to accept."
        return _join_page(request, "invitation", token, "You are invited", detail)
    try:
        membership, row = sharing.accept_invitation(token, request.user)
    except sharing.SharingError as exc:
        return _join_page(request, "invitation", token, "This invitation cannot be used", exc.message, exc.status)
    messages.success(request, f"Welcome to “{row.design.name}”: you are {membership.role}.")
    return redirect("design-editor", slug=row.design.slug)


def _why(row: Invitation | None) -> str:
    if row is None:
        return "This invitation link is not valid."
    if row.revoked_at is not None:
        return "This invitation was withdrawn; ask the design's owner for a new one."
    if row.accepted_at is not None:
        return "This invitation was already used. Log in to open the design."
    return f"This invitation expired on {row.expires_at:%Y-%m-%d}; ask the design's owner for a new one."


def share_link(request: HttpRequest, token: str) -> HttpResponse:
    """A share link: joins the design (at most at the link's role) when logged in."""
    try:
        link = sharing.share_link_of(token)
    except sharing.SharingError as exc:
        return _join_page(request, "link", token, "This link cannot be used", exc.message, exc.status)
    if not request.user.is_authenticated:
        detail = f"This link opens “{link.design.name}” as {link.role}. Log in or create an account to join."
        return _join_page(request, "link", token, "You have a share link", detail)
    membership, changed, link = sharing.follow_share_link(token, request.user)
    if changed:
        messages.success(request, f"You joined “{link.design.name}” as {membership.role}.")
    else:
        messages.info(request, f"You are already {membership.role} of “{link.design.name}”.")
    return redirect("design-editor", slug=link.design.slug)
