"""The Compile dialog and the Indexes tab in the browser.

Compiling runs twice: on the session's embedded app (eager Celery: the job runs inside the POST,
its progress frames reach the page through the in-memory channel layer) and on an app with a real
Celery worker process on the local Redis (``TEST_REDIS_URL``), the way production runs. Both times
the test clicks Compile, records the progress bar as it moves, downloads the zip and opens it.
"""

from __future__ import annotations

import io
import json
import secrets
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.services import redis_url

from .conftest import (
    NARROW,
    ROOT,
    App,
    Server,
    build_frontend,
    create_design,
    post_json,
    python,
    screenshot,
    sign_up,
    unique,
)

pytestmark = pytest.mark.e2e

ECOMMERCE = ROOT / "tests" / "fixtures" / "designs" / "ecommerce.json"
COMPILE_TIMEOUT_MS = 180_000

# Samples the progress bar every 40 ms into window.__progress (value and step, when they change).
RECORD_PROGRESS = """
() => {
  window.__progress = [];
  window.setInterval(() => {
    const bar = document.querySelector('[role="progressbar"][aria-label="Compile progress"]');
    if (!bar) return;
    const entry = [Number(bar.getAttribute("aria-valuenow")), bar.getAttribute("aria-valuetext")];
    const last = window.__progress[window.__progress.length - 1];
    if (!last || last[0] !== entry[0] || last[1] !== entry[1]) window.__progress.push(entry);
  }, 40);
}
"""


def ecommerce() -> dict[str, Any]:
    return dict(json.loads(ECOMMERCE.read_text()))


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def worker_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """DB Studio with REDIS_URL set (Redis channel layer, Celery not eager) and one real worker process."""
    build_frontend()
    data_dir = tmp_path_factory.mktemp("dbstudio-e2e-worker")
    # A queue of our own, so no other test's worker takes these jobs (or we theirs).
    queue = f"dbs-e2e-{secrets.token_hex(4)}"
    server = Server(data_dir, REDIS_URL=redis_url(), DBSTUDIO_COMPILE_QUEUE=queue)
    with (data_dir / "worker.log").open("wb") as out:
        worker = subprocess.Popen(
            [
                *(python(), "-m", "celery", "-A", "dbstudio", "worker"),
                *("--pool", "solo", "-Q", queue, "--loglevel", "WARNING"),
                *("--without-gossip", "--without-mingle", "--hostname", f"e2e-{server.port}@localhost"),
            ],
            cwd=ROOT,
            env=server.app.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        server.start()
        yield server.app
    finally:
        stop(worker)
        server.stop()


@pytest.fixture(params=["eager", "worker"])
def compile_app(request: pytest.FixtureRequest) -> App:
    """The app to compile on: the embedded one (eager tasks) or the one with a real worker."""
    name = "app" if request.param == "eager" else "worker_app"
    return request.getfixturevalue(name)


def open_editor(page: Any, app: App, prefix: str) -> dict[str, Any]:
    sign_up(page, app, unique(prefix))
    design = create_design(page, app, unique("Shop "), ecommerce())
    page.goto(f"{app.url}{design['url']}")
    expect(page.get_by_role("main", name="Canvas")).to_contain_text("customers", timeout=15_000)
    return design


def saved_document(page: Any, app: App, design_id: int) -> dict[str, Any]:
    response = page.request.get(f"{app.url}/api/designs/{design_id}/document")
    assert response.status == 200, response.text()
    return dict(response.json())


def answer_late(route: Any) -> None:
    """Send the request on, and hand its answer to the page 1.5 s after it came."""
    response = route.fetch()
    time.sleep(1.5)
    route.fulfill(response=response)


def test_compile_shows_progress_and_downloads_the_bundle(
    compile_app: App, new_page: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    mode = request.node.callspec.params["compile_app"]
    app = compile_app
    page = new_page()
    design = open_editor(page, app, "compile")
    # The first open arranges the tables and saves them: the dialog compiles once that save is in.
    page.get_by_role("button", name="Compile a bundle (DDL, docs, migrations)").click()
    dialog = page.get_by_role("dialog", name="Compile a bundle")
    expect(dialog).to_be_visible()
    for label in ("PostgreSQL", "MySQL / MariaDB", "SQLite", "ERD images (SVG and PNG)", "Alembic migrations"):
        expect(dialog.get_by_label(label)).to_be_checked()
    start = dialog.get_by_role("button", name="Compile revision")
    expect(start).to_be_focused(timeout=30_000)
    expect(dialog.get_by_text("No bundles yet.")).to_be_visible()
    if mode == "worker":
        screenshot(page, "compile-dialog", full_page=False)

    # Live progress needs the design's socket: wait until it is up (polling alone samples too seldom to
    # see every step of a compile that takes a second or two).
    expect(page.locator(".workspace")).to_have_attribute("data-live", "true", timeout=10_000)
    if mode == "worker":
        # A worker may report its first steps before the request that started the job has answered:
        # hold that answer back so it always happens. The bar must keep those steps, not fall back to
        # the answer's "Queued" (a CI flake: 0 -> 60 -> 100).
        page.route(f"**/api/designs/{design['id']}/compile", answer_late)
    page.evaluate(RECORD_PROGRESS)
    start.click()
    bar = dialog.get_by_role("progressbar", name="Compile progress")
    expect(bar).to_be_visible(timeout=COMPILE_TIMEOUT_MS)
    expect(dialog.get_by_text("Bundle ready")).to_be_visible(timeout=COMPILE_TIMEOUT_MS)
    expect(bar).to_have_attribute("aria-valuenow", "100")
    # The revision compiled (the first open's arrangement may have saved one more while the dialog opened).
    revision = int((dialog.locator("#job-card-title").text_content() or "").rsplit(" ", 1)[-1])
    download_button = dialog.get_by_role("link", name="Download zip")
    expect(download_button).to_be_focused()
    screenshot(page, f"compile-done-{mode}", full_page=False)

    # The bar moved: it showed steps between the start and the end, never going backwards.
    seen: list[list[Any]] = page.evaluate("window.__progress")
    values = [v for v, _ in seen]
    assert values[-1] == 100, seen
    assert any(0 < v < 100 for v in values), f"the bar never showed a step in between: {seen}"
    assert values == sorted(values), f"the bar went backwards: {seen}"
    assert any("Rendering the ERD" in (text or "") for _, text in seen) or mode == "eager", seen

    with page.expect_download() as info:
        download_button.click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert download.suggested_filename == f"{design['slug']}-r{revision}.zip"
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as bundle:
        assert bundle.testzip() is None
        # Everything sits in one folder named after the design, as a repository to commit.
        root = f"{design['slug']}/"
        assert all(n.startswith(root) for n in bundle.namelist()), bundle.namelist()
        names = {n.removeprefix(root) for n in bundle.namelist()}
        for expected in (
            "README.md",
            "manifest.json",
            "design.json",
            "design.mmd",
            "schema/postgresql.sql",
            "schema/mysql.sql",
            "schema/sqlite.sql",
            "models/sqlalchemy_models.py",
            "docs/data_dictionary.md",
            "docs/index_strategy.md",
            "docs/design.md",
            "docs/erd.svg",
            "docs/erd.png",
        ):
            assert expected in names, f"{expected} missing from {sorted(names)}"
        postgres = bundle.read(root + "schema/postgresql.sql").decode()
        assert 'CREATE TABLE "order_lines"' in postgres or "CREATE TABLE order_lines" in postgres, postgres[:400]
        assert json.loads(bundle.read(root + "design.json"))["name"] == "E-commerce shop"
        assert "customers" in bundle.read(root + "docs/erd.svg").decode()
        manifest = json.loads(bundle.read(root + "manifest.json"))
        assert manifest["meta"]["revision"] == revision

    # The past bundles list has it, ready, with its own download link.
    history = dialog.get_by_role("table")
    row = history.get_by_role("row").nth(1)
    expect(row).to_contain_text(f"r{revision}")
    expect(row).to_contain_text("Ready")
    expect(row.get_by_role("link", name=f"Download the bundle of revision {revision}")).to_be_visible()

    # Escape closes the dialog and gives focus back to the toolbar.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Compile a bundle (DDL, docs, migrations)")).to_be_focused()

    if mode == "eager":
        check_a_viewer_downloads_but_cannot_compile(app, page, new_page, design)


def check_a_viewer_downloads_but_cannot_compile(app: App, owner: Any, new_page: Any, design: dict[str, Any]) -> None:
    viewer_name = unique("viewer")
    viewer = new_page(viewport=NARROW, color_scheme="dark")
    sign_up(viewer, app, viewer_name)
    member = {"username": viewer_name, "role": "viewer"}
    response = post_json(owner, app, f"/api/designs/{design['id']}/members", member)
    assert response.status in (200, 201), response.text()
    viewer.goto(f"{app.url}{design['url']}")
    viewer.get_by_role("button", name="Compile a bundle (DDL, docs, migrations)").click()
    dialog = viewer.get_by_role("dialog", name="Compile a bundle")
    expect(dialog.get_by_text("Only editors and owners can start a compile.")).to_be_visible()
    expect(dialog.get_by_role("button", name="Compile revision")).to_have_count(0)
    link = dialog.get_by_role("link", name="Download the bundle of revision")
    expect(link).to_be_visible()
    with viewer.expect_download() as info:
        link.click()
    assert info.value.suggested_filename.endswith(".zip")
    screenshot(viewer, "compile-dialog-viewer-narrow-dark", full_page=False)
    assert viewer.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_recommended_index_is_accepted_into_the_design(app: App, new_page: Any) -> None:
    page = new_page()
    design = open_editor(page, app, "indexes")
    page.get_by_role("tab", name="Indexes").click()
    panel = page.locator("#panel-indexes")
    recs = panel.get_by_role("list", name="Recommended indexes")
    item = recs.get_by_role("listitem").filter(has_text="idx_categories_parent_id").first
    expect(item).to_be_visible(timeout=15_000)
    # Each recommendation says why, and what it serves.
    expect(item).to_contain_text("foreign key")
    expect(item.get_by_role("list", name="Serves")).to_contain_text("Foreign key categories → categories")
    expect(recs.get_by_role("listitem").filter(has_text="idx_orders_placed_at").first).to_contain_text(
        "Query “monthly revenue”"
    )
    screenshot(page, "indexes-panel", full_page=False)
    before = recs.locator("> li").count()

    # Accept adds the index to the document on screen; it is saved like any edit.
    panel.get_by_role("button", name="Accept idx_categories_parent_id").click()
    expect(recs.locator("> li").filter(has_text="idx_categories_parent_id")).to_have_count(0)
    expect(recs.locator("> li")).to_have_count(before - 1, timeout=10_000)
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible(timeout=20_000)

    def indexes_of(table: str) -> list[str]:
        doc = saved_document(page, app, design["id"])
        found = next(t for t in doc["tables"] if t["name"] == table)
        return [i.get("name", "") for i in found.get("indexes", [])]

    expect_soon(lambda: "idx_categories_parent_id" in indexes_of("categories"), "the index to be saved")

    # It is one undoable edit: undo brings the recommendation back.
    page.get_by_role("button", name="Undo").click()
    expect(recs.locator("> li").filter(has_text="idx_categories_parent_id")).to_have_count(1, timeout=10_000)
    expect_soon(lambda: "idx_categories_parent_id" not in indexes_of("categories"), "the undo to be saved")

    # Accept all takes every recommendation at once.
    panel.get_by_role("button", name="Accept all").click()
    expect(panel.get_by_text("Every foreign key and access pattern has the index it needs.")).to_be_visible(
        timeout=10_000
    )
    expect_soon(lambda: "idx_categories_parent_id" in indexes_of("categories"), "accept all to be saved")
    assert "idx_orders_placed_at" in indexes_of("orders")
    screenshot(page, "indexes-panel-accepted", full_page=False)


def expect_soon(predicate: Any, what: str, timeout: float = 20) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")
