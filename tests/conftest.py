"""Test-wide setup: every run gets its own data directory, so nothing touches the user's."""

import os
import tempfile

os.environ.setdefault("DBSTUDIO_DATA_DIR", tempfile.mkdtemp(prefix="dbstudio-test-"))


import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest) -> None:
    """Real hashing costs ~0.3 s a user; tests that make users need correctness, not strength."""
    if (
        "settings" in request.fixturenames
        or request.node.get_closest_marker("django_db")
        or "db" in request.fixturenames
    ):
        request.getfixturevalue("settings").PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
