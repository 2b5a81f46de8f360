"""Invitations by username or email, share links with a role cap, and role changes reaching open sockets."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core import mail
from django.test import Client
from django.utils import timezone

from designs.models import Design, Invitation, Membership, ShareLink
from tests.designs.conftest import token_client

ROLES = ["owner", "editor", "commenter", "viewer", "stranger", "anonymous"]


def api(client: Client, method: str, path: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(path, **kwargs)


def as_user(team: dict[str, Any], who: str) -> Client:
    return Client() if who == "anonymous" else token_client(team["users"][who])


def role_of(design: Any, user: User) -> str | None:
    membership = Membership.objects.filter(design=design, user=user).first()
    return membership.role if membership else None


def owner_posts(team: dict[str, Any], what: str, body: Any) -> Any:
    """The owner POSTs ``body`` to the team design's ``what`` (invitations, share-links) with a token."""
    return api(token_client(team["users"]["owner"]), "post", f"/api/designs/{team['design'].pk}/{what}", body)


def session(user: User) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


# (method, path, body) with {id} for the design's id; only an owner may do any of these.
OWNER_ONLY = {
    "invite": ("post", "/api/designs/{id}/invitations", {"who": "new@example.com", "role": "viewer"}),
    "list_invitations": ("get", "/api/designs/{id}/invitations", None),
    "change_role": ("patch", "/api/designs/{id}/members/viewer", {"role": "commenter"}),
    "list_links": ("get", "/api/designs/{id}/share-links", None),
    "create_link": ("post", "/api/designs/{id}/share-links", {"role": "viewer", "expires_in_days": 7}),
}
OWNER_ONLY_STATUS = {"invite": 201, "list_invitations": 200, "change_role": 200, "list_links": 200, "create_link": 201}


@pytest.mark.parametrize("endpoint", list(OWNER_ONLY))
@pytest.mark.parametrize("who", ROLES)
def test_only_an_owner_manages_members_and_sharing(team: dict[str, Any], endpoint: str, who: str) -> None:
    method, path, body = OWNER_ONLY[endpoint]
    response = api(as_user(team, who), method, path.format(id=team["design"].pk), body)
    expected = {"owner": OWNER_ONLY_STATUS[endpoint], "stranger": 404, "anonymous": 401}.get(who, 403)
    assert response.status_code == expected, response.content
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("who", ["commenter", "commenter@example.com", "COMMENTER@Example.com"])
def test_an_existing_user_is_added_at_once_by_username_or_email(team: dict[str, Any], make_user: Any, who: str) -> None:
    design = team["design"]
    newcomer = make_user("newcomer", email="commenter@example.com")
    target = team["users"]["commenter"] if who == "commenter" else newcomer
    response = owner_posts(team, "invitations", {"who": who, "role": "editor"})
    assert response.status_code in (200, 201), response.content
    body = response.json()
    assert body["status"] in ("added", "updated")
    assert body["member"] == {**body["member"], "username": target.username, "role": "editor"}
    assert role_of(design, target) == "editor"
    assert not mail.outbox


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("nobody", "No user is called 'nobody'"),
        ("not an@email", "not a valid email address"),
        ("  ", "Give a username"),
    ],
)
def test_an_unknown_username_or_a_bad_address_is_a_field_error(team: dict[str, Any], who: str, message: str) -> None:
    response = owner_posts(team, "invitations", {"who": who, "role": "viewer"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["path"] == "who"
    assert message in error["message"]


def test_an_owner_role_cannot_be_given_by_a_share_link(team: dict[str, Any]) -> None:
    response = owner_posts(team, "share-links", {"role": "owner", "expires_in_days": 7})
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == "role"


def invite_new(team: dict[str, Any], email: str = "Dana@Example.com", role: str = "commenter") -> dict[str, Any]:
    response = owner_posts(team, "invitations", {"who": email, "role": role})
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_a_new_address_gets_an_emailed_invitation_whose_token_is_stored_only_as_a_hash(team: dict[str, Any]) -> None:
    body = invite_new(team)
    assert body["status"] == "invited"
    assert body["invitation"]["email"] == "dana@example.com"
    [message] = mail.outbox
    assert message.to == ["dana@example.com"]
    assert "Shop" in message.subject
    link = re.search(r"http://testserver/invite/(\S+)/", str(message.body))
    assert link is not None and link.group(0) == body["link"]
    token = link.group(1)
    row = Invitation.objects.get()
    assert token not in row.token_hash and len(row.token_hash) == 64
    listed = api(token_client(team["users"]["owner"]), "get", f"/api/designs/{team['design'].pk}/invitations")
    assert [i["email"] for i in listed.json()] == ["dana@example.com"]


def test_signing_up_with_the_invited_email_makes_a_member(team: dict[str, Any]) -> None:
    invite_new(team)
    browser = Client()
    response = browser.post(
        "/accounts/signup/",
        {
            "username": "dana",
            "email": "dana@example.com",
            "password1": "a long passphrase 42",
            "password2": "a long passphrase 42",
        },
    )
    assert response.status_code == 302
    dana = User.objects.get(username="dana")
    assert role_of(team["design"], dana) == "commenter"
    assert Invitation.objects.get().accepted_by == dana


def test_logging_in_with_the_invited_email_makes_a_member(team: dict[str, Any], make_user: Any) -> None:
    dana = make_user("dana2", email="")
    invite_new(team, "dana2@example.com")
    dana.email = "Dana2@example.com"
    dana.save()
    Client().post("/accounts/login/", {"username": "dana2", "password": "correct horse battery"})
    assert role_of(team["design"], dana) == "commenter"


def test_the_invitation_link_works_once_for_whoever_is_logged_in(team: dict[str, Any], make_user: Any) -> None:
    body = invite_new(team, role="editor")
    path = body["link"].removeprefix("http://testserver")
    anonymous = Client().get(path)
    assert anonymous.status_code == 200
    assert b"You are invited" in anonymous.content and b"next=" in anonymous.content
    erin = make_user("erin")
    response = session(erin).get(path)
    assert response.status_code == 302 and response["Location"] == f"/d/{team['design'].slug}/"
    assert role_of(team["design"], erin) == "editor"
    again = session(team["users"]["stranger"]).get(path)
    assert again.status_code == 410
    assert b"already used" in again.content
    assert role_of(team["design"], team["users"]["stranger"]) is None


@pytest.mark.parametrize("how", ["expired", "withdrawn"])
def test_an_expired_or_withdrawn_invitation_is_refused(team: dict[str, Any], how: str) -> None:
    body = invite_new(team)
    token = body["link"].rstrip("/").rsplit("/", 1)[1]
    owner = token_client(team["users"]["owner"])
    if how == "expired":
        Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    else:
        assert (
            api(owner, "delete", f"/api/designs/{team['design'].pk}/invitations/{body['invitation']['id']}").status_code
            == 204
        )
    response = api(token_client(team["users"]["stranger"]), "post", "/api/invitations/accept", {"token": token})
    assert response.status_code == 410
    assert ("expired" if how == "expired" else "withdrawn") in response.json()["detail"]
    assert role_of(team["design"], team["users"]["stranger"]) is None


def make_link(team: dict[str, Any], role: str, days: int = 7) -> dict[str, Any]:
    response = owner_posts(team, "share-links", {"role": role, "expires_in_days": days})
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_a_share_link_makes_whoever_follows_it_a_member_at_its_role(team: dict[str, Any]) -> None:
    link = make_link(team, "commenter")
    token = link["url"].rstrip("/").rsplit("/", 1)[1]
    assert not ShareLink.objects.filter(token_hash__contains=token).exists()
    assert ShareLink.objects.get().hint == token[:8]
    response = api(token_client(team["users"]["stranger"]), "post", "/api/share-links/accept", {"token": token})
    assert response.status_code == 200
    assert response.json()["role"] == "commenter" and response.json()["changed"] is True
    assert role_of(team["design"], team["users"]["stranger"]) == "commenter"
    listed = api(token_client(team["users"]["owner"]), "get", f"/api/designs/{team['design'].pk}/share-links").json()
    assert listed[0]["uses"] == 1 and listed[0]["url"] is None


def test_a_share_link_never_lowers_a_higher_role_but_raises_a_lower_one(team: dict[str, Any]) -> None:
    token = make_link(team, "commenter")["url"].rstrip("/").rsplit("/", 1)[1]
    for who, before, after in [("editor", "editor", "editor"), ("viewer", "viewer", "commenter")]:
        user = team["users"][who]
        assert role_of(team["design"], user) == before
        response = session(user).get(f"/s/{token}/")
        assert response.status_code == 302
        assert role_of(team["design"], user) == after


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_a_revoked_or_expired_share_link_gives_a_clear_error(team: dict[str, Any], how: str) -> None:
    link = make_link(team, "editor")
    token = link["url"].rstrip("/").rsplit("/", 1)[1]
    if how == "revoked":
        owner = token_client(team["users"]["owner"])
        assert api(owner, "delete", f"/api/designs/{team['design'].pk}/share-links/{link['id']}").status_code == 204
    else:
        ShareLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    stranger = team["users"]["stranger"]
    response = api(token_client(stranger), "post", "/api/share-links/accept", {"token": token})
    assert response.status_code == 410
    assert how in response.json()["detail"]
    page = session(stranger).get(f"/s/{token}/")
    assert page.status_code == 410
    assert how in page.content.decode()
    assert role_of(team["design"], stranger) is None


@pytest.mark.parametrize("kind", ["invitations", "share-links"])
def test_revoking_reaches_only_the_designs_own_invitations_and_links(team: dict[str, Any], kind: str) -> None:
    row_id = invite_new(team)["invitation"]["id"] if kind == "invitations" else make_link(team, "viewer")["id"]
    owner = team["users"]["owner"]
    other = Design.create(owner=owner, name="Other")
    response = api(token_client(owner), "delete", f"/api/designs/{other.pk}/{kind}/{row_id}")
    assert response.status_code == 404
    noun = "Invitation" if kind == "invitations" else "Share link"
    assert response.json()["detail"] == f"{noun} {row_id} not found"
    model = Invitation if kind == "invitations" else ShareLink
    assert model.objects.get(pk=row_id).revoked_at is None
    editor = token_client(team["users"]["editor"])
    assert api(editor, "delete", f"/api/designs/{team['design'].pk}/{kind}/{row_id}").status_code == 403
    assert model.objects.get(pk=row_id).revoked_at is None
    assert api(token_client(owner), "delete", f"/api/designs/{team['design'].pk}/{kind}/{row_id}").status_code == 204
    assert model.objects.get(pk=row_id).revoked_at is not None


def test_an_unknown_token_is_not_found(team: dict[str, Any]) -> None:
    response = api(token_client(team["users"]["stranger"]), "post", "/api/share-links/accept", {"token": "nope"})
    assert response.status_code == 404
    assert session(team["users"]["stranger"]).get("/s/nope/").status_code == 404


def test_the_last_owner_cannot_be_demoted(team: dict[str, Any]) -> None:
    owner = token_client(team["users"]["owner"])
    response = api(owner, "patch", f"/api/designs/{team['design'].pk}/members/owner", {"role": "editor"})
    assert response.status_code == 403
    assert "at least one owner" in response.json()["detail"]


def test_the_members_page_lets_an_owner_invite_and_share_and_others_only_look(team: dict[str, Any]) -> None:
    design = team["design"]
    page = f"/d/{design.slug}/members/"
    owner = session(team["users"]["owner"])
    html = owner.get(page).content.decode()
    assert "Invite someone" in html and "Share links" in html
    response = owner.post(page, {"action": "link", "link-role": "editor", "link-days": "30"})
    assert response.status_code == 200
    assert re.search(r'value="http://testserver/s/[\w-]+/"', response.content.decode())
    response = owner.post(page, {"action": "invite", "invite-who": "nobody", "invite-role": "viewer"})
    assert "No user is called" in response.content.decode()
    response = owner.post(page, {"action": "invite", "invite-who": "stranger", "invite-role": "viewer"}, follow=True)
    assert "Added stranger as viewer." in response.content.decode()
    viewer = session(team["users"]["viewer"])
    html = viewer.get(page).content.decode()
    assert "stranger" in html and "Invite someone" not in html and "Share links" not in html
    viewer.post(
        page, {"action": "remove", "member": str(Membership.objects.get(design=design, user__username="editor").pk)}
    )
    assert role_of(design, team["users"]["editor"]) == "editor"
    assert session(team["users"]["stranger"]).get(f"/d/{design.slug}/members/").status_code == 200
    assert session(team["users"]["commenter"]).get("/d/no-such-design/members/").status_code == 404


def test_a_role_change_reaches_the_open_socket_and_a_removal_closes_it(
    transactional_db: Any, team: dict[str, Any], settings: Any
) -> None:
    from channels.layers import channel_layers

    from tests.designs.test_consumer import YClient

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends = {}
    design = team["design"]
    owner = token_client(team["users"]["owner"])

    async def scenario() -> None:
        from asgiref.sync import sync_to_async

        client = YClient(team["users"]["viewer"], design.pk)
        assert (await client.connect())["read_only"] is True
        patch = sync_to_async(api)
        await patch(owner, "patch", f"/api/designs/{design.pk}/members/viewer", {"role": "editor"})
        changed = await client.wait_for_text("role.changed")
        assert changed == {"type": "role.changed", "role": "editor", "read_only": False}
        await patch(owner, "delete", f"/api/designs/{design.pk}/members/viewer")
        while True:
            message = await client.comm.receive_output(timeout=5)
            if message["type"] == "websocket.close":
                assert message["code"] == 4404
                break

    asyncio.run(scenario())
    assert isinstance(AnonymousUser(), AnonymousUser)
