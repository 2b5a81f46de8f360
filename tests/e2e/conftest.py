"""End-to-end fixtures: the real app in a subprocess, and Debian's Chromium driven by Playwright.

The server is started the way a user starts it (migrate, then uvicorn on the ASGI app) in
embedded mode: its own temporary data directory, so SQLite, the in-memory channel layer and
eager Celery, and no state shared with other test runs.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from designs.render import CHROMIUM_ARGS, chromium_path

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
MANIFEST = ROOT / "static" / "dist" / ".vite" / "manifest.json"
SCREENSHOTS = ROOT / "test-results" / "screenshots"
PASSWORD = "correct-horse-battery-42"

DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


@dataclass
class App:
    """A running DB Studio: its base URL and the environment to run manage.py against it."""

    url: str
    env: dict[str, str]

    def manage(self, *args: str) -> str:
        """Run a manage.py command against the app's database; returns its stdout."""
        result = subprocess.run(
            [python(), "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=60
        )
        if result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def api(self, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
        """Call the JSON API with a bearer token; returns (status, parsed body)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}/api{path}", data=data, method=method)  # noqa: S310
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own local server
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")


def build_frontend() -> None:
    """Build the editor bundle once when it is missing (a fresh checkout)."""
    if MANIFEST.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(
            "static/dist is not built and npm is not installed: install Node.js >= 18, then "
            "run `npm --prefix frontend ci && npm --prefix frontend run build`"
        )
    if not (FRONTEND / "node_modules").exists():
        subprocess.run([npm, "--prefix", str(FRONTEND), "ci", "--no-audit", "--no-fund"], check=True, timeout=600)
    subprocess.run([npm, "--prefix", str(FRONTEND), "run", "build"], check=True, timeout=600)


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout}s:\n{log.read_text()[-4000:]}")


class Server:
    """DB Studio run the way a user runs it (migrate, then uvicorn) in embedded mode, in its own data
    directory on a free port; it can be stopped and started again on the same port and data.

    ``settings`` (environment variables) change the mode, e.g. ``REDIS_URL`` for the Redis channel
    layer and Celery workers.
    """

    def __init__(self, data_dir: Path, **settings: str):
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
        # Production settings (DEBUG off), so users' error pages are the ones under test, over plain
        # HTTP on the loopback interface.
        env.update(
            {
                "DBSTUDIO_DATA_DIR": str(data_dir),
                "DEBUG": "false",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SECURE_COOKIES": "false",
                "PYTHONUNBUFFERED": "1",
                **settings,
            }
        )
        self.port = free_port()
        self.app = App(url=f"http://127.0.0.1:{self.port}", env=env)
        self.log = data_dir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.app.manage("migrate", "--noinput", "-v", "0")

    def start(self) -> None:
        with self.log.open("ab") as out:
            command = ["-m", "uvicorn", "dbstudio.asgi:application", "--host", "127.0.0.1", "--port", str(self.port)]
            self.process = subprocess.Popen(
                [python(), *command],
                cwd=ROOT,
                env=self.app.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until_up(self.app.url, self.process, self.log)

    def stop(self, kill: bool = False) -> None:
        """Stop the server: gracefully, or with ``kill`` at once (SIGKILL), as a crash would."""
        if self.process is None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """DB Studio running in embedded mode on a free port, for the whole test session."""
    build_frontend()
    server = Server(tmp_path_factory.mktemp("dbstudio-e2e"))
    try:
        server.start()
        yield server.app
    finally:
        server.stop()


@pytest.fixture
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A DB Studio of the test's own, started, that the test may stop and start again (same port, same data)."""
    build_frontend()
    own = Server(tmp_path_factory.mktemp("dbstudio-restart"))
    try:
        own.start()
        yield own
    finally:
        own.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the session; each test gets its own context (cookies, viewport)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        pytest.fail("Chromium not found: `apt-get install -y chromium`, or set DBSTUDIO_CHROMIUM to its path")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


# Every http(s) address but the app's own (the app and the test servers listen on the loopback). Matched
# by the browser's driver, so the app's own requests are never routed through the test.
OUTSIDE_THE_APP = re.compile(r"^https?://(?!(127\.0\.0\.1|localhost)(:\d+)?/)")

FAILURES = Path(__file__).resolve().parents[2] / "test-results" / "failures"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed browser test keeps its pages as they were: screenshots under test-results/failures/, and
    each page's address and last console lines in the failure report (CI prints it)."""
    report = yield
    make = getattr(item, "funcargs", {}).get("new_page")
    if report.when == "call" and report.failed and make is not None:
        lines = keep_failure(item.name, make.pages)
        if lines:
            report.sections.append(("browser pages", "\n".join(lines)))
    return report


def keep_failure(test: str, pages: list[tuple[Any, list[str]]]) -> list[str]:
    FAILURES.mkdir(parents=True, exist_ok=True)
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in test)[:120]
    lines = []
    for n, (page, console) in enumerate(pages):
        path = FAILURES / f"{name}-{n}.png"
        try:
            page.screenshot(path=str(path))
            lines.append(f"page {n} at {page.url}: {path}")
        except Exception as exc:  # a closed or crashed page: say so, never hide the test's own failure
            lines.append(f"page {n}: no screenshot ({exc})")
        lines += [f"page {n} console: {line}" for line in console[-40:]]
    return lines


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """A factory of pages, each in a fresh context: ``new_page(viewport=NARROW, color_scheme="dark")``.

    When the test fails, each page is saved as a screenshot with its console (``keep_failure``).
    Pages may load nothing from outside the app (a CDN, a font service): such requests are refused
    and fail the test, since a server without internet access would show a broken page.
    """
    contexts: list[Any] = []
    pages: list[tuple[Any, list[str]]] = []
    outside: list[str] = []

    def refuse(route: Any) -> None:
        outside.append(route.request.url)
        route.abort()

    def make(viewport: dict[str, int] = DESKTOP, color_scheme: str = "light", storage_state: Any = None) -> Any:
        context = browser.new_context(
            viewport=viewport, color_scheme=color_scheme, reduced_motion="reduce", storage_state=storage_state
        )
        context.set_default_timeout(10_000)
        context.route(OUTSIDE_THE_APP, refuse)
        contexts.append(context)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
        pages.append((page, console))
        return page

    make.pages = pages  # type: ignore[attr-defined]
    yield make
    for context in contexts:
        context.close()
    assert outside == [], f"pages asked for resources outside the app: {sorted(set(outside))}"


@pytest.fixture
def page(new_page: Any) -> Any:
    return new_page()


_counter = {"n": 0}


def unique(prefix: str) -> str:
    """A username or name not used before in this session (the server lives the whole session)."""
    _counter["n"] += 1
    return f"{prefix}{os.getpid() % 1000}x{_counter['n']}"


def sign_up(page: Any, app: App, username: str, email: str = "") -> None:
    """Create an account through the sign-up form; the browser ends up logged in on the design list."""
    page.goto(f"{app.url}/accounts/signup/")
    page.get_by_label("Username").fill(username)
    if email:
        page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{app.url}/designs/")


def csrf(page: Any) -> str:
    """The CSRF token of the browser's session, for writes through ``page.request``."""
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def post_json(page: Any, app: App, path: str, body: Any) -> Any:
    """POST ``body`` as JSON to ``path`` as the browser's logged-in user (session cookie + CSRF header)."""
    return page.request.post(
        f"{app.url}{path}",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf(page)},
    )


def create_design(page: Any, app: App, name: str, document: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create a design through the API as the browser's logged-in user."""
    response = post_json(page, app, "/api/designs", {"name": name, "document": document})
    assert response.status == 201, response.text()
    return dict(response.json())


def screenshot(page: Any, name: str, full_page: bool = True) -> Path:
    """Save a screenshot under test-results/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def shop_document() -> dict[str, Any]:
    return json.loads((Path(__file__).parent / "shop_document.json").read_text())
