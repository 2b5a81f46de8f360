"""Changing one's password, and resetting a forgotten one by email."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from django.test import Client

from designs.views_accounts import FAILED_LOGINS, RESETS_PER_HOUR

OLD, NEW = "an old pass phrase 1", "a brand new pass phrase 2"


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()  # the per-address cap on reset links counts in the cache


def signed_in(user: User, password: str) -> Client:
    client = Client()
    assert client.login(username=user.get_username(), password=password)
    return client


def can_log_in(user: User, password: str) -> bool:
    return Client().login(username=user.get_username(), password=password)


def test_a_forgotten_password_is_reset_through_a_link_that_works_once(make_user: Callable[..., User]) -> None:
    ada = make_user("ada", email="ada@example.com")
    ada.set_password(OLD)
    ada.save()
    client = Client()
    login_page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/reset/"' in login_page

    sent = client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    assert sent.status_code == 302 and sent["Location"] == "/accounts/password/reset/sent/"
    assert "Check your email" in client.get(sent["Location"]).content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.com"]
    assert mail.outbox[0].subject == "Reset your DB Studio password"
    found = re.search(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", str(mail.outbox[0].body))
    assert found, mail.outbox[0].body
    link = found.group(1)

    form_page = client.get(link, follow=True)  # Django swaps the token for a session-held one
    assert "Choose a new password" in form_page.content.decode()
    form_url = form_page.redirect_chain[-1][0]
    mismatch = client.post(form_url, {"new_password1": NEW, "new_password2": NEW + "x"})
    assert mismatch.status_code == 200 and "password fields didn\u2019t match" in mismatch.content.decode()
    done = client.post(form_url, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert done.redirect_chain[-1][0] == "/designs/"
    assert "Your new password is set, and you are signed in." in done.content.decode()
    assert not can_log_in(ada, OLD) and can_log_in(ada, NEW)

    again = Client().get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_asking_for_an_address_without_an_account_looks_the_same_and_sends_nothing(db: Any) -> None:
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_changing_ones_password_keeps_this_session_and_ends_the_others(make_user: Callable[..., User]) -> None:
    bo = make_user("bo")
    bo.set_password(OLD)
    bo.save()
    assert Client().get("/accounts/password/")["Location"].startswith("/accounts/login/")
    here, elsewhere = signed_in(bo, OLD), signed_in(bo, OLD)
    assert 'href="/accounts/password/"' in here.get("/designs/").content.decode()  # the name in the header

    wrong = here.post("/accounts/password/", {"old_password": "nope", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 200 and "Your old password was entered incorrectly" in wrong.content.decode()
    changed = here.post(
        "/accounts/password/", {"old_password": OLD, "new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert changed.redirect_chain[-1][0] == "/designs/"
    assert "Your password is changed" in changed.content.decode()
    assert here.get("/designs/").status_code == 200
    assert elsewhere.get("/designs/").status_code == 302  # signed out by the change
    assert can_log_in(bo, NEW) and not can_log_in(bo, OLD)


def test_reset_links_to_one_address_are_capped_per_hour(make_user: Callable[..., User]) -> None:
    make_user("cy", email="cy@example.com")
    client = Client()
    for _ in range(RESETS_PER_HOUR + 2):
        response = client.post("/accounts/password/reset/", {"email": "CY@example.com "})
        assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == RESETS_PER_HOUR


def test_wrong_passwords_in_a_row_stop_that_name_from_that_address_for_a_while(
    make_user: Callable[..., User],
) -> None:
    make_user("dee")  # password "correct horse battery"
    here, elsewhere = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")

    def log_in(client: Client, password: str, name: str = "dee") -> Any:
        return client.post("/accounts/login/", {"username": name, "password": password})

    assert log_in(here, "wrong").status_code == 200
    assert log_in(here, "correct horse battery").status_code == 302  # a success clears the count
    here.logout()
    for _ in range(FAILED_LOGINS):
        assert log_in(here, "wrong").status_code == 200
    refused = log_in(here, "correct horse battery")
    assert refused.status_code == 429 and "Too many wrong passwords for this name" in refused.content.decode()
    assert log_in(here, "x", name="someone else").status_code == 200  # other names are not affected
    assert log_in(elsewhere, "correct horse battery").status_code == 302  # nor other addresses
