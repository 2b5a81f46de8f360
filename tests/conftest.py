"""Test-wide setup: every run gets its own data directory, so nothing touches the user's."""

import atexit
import os
import shutil
import tempfile

if "DBSTUDIO_DATA_DIR" not in os.environ:
    _data_dir = tempfile.mkdtemp(prefix="dbstudio-test-")
    os.environ["DBSTUDIO_DATA_DIR"] = _data_dir
    atexit.register(shutil.rmtree, _data_dir, True)


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
