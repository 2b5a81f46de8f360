"""The import dialog on the design list: paste, upload or connect, then the new design opens.

A parse error shows its line and column and keeps what was pasted; without JavaScript the same form
works as a page of its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.services import scratch_postgres

from .conftest import App, screenshot, sign_up, unique

pytestmark = pytest.mark.e2e

CORPUS = Path("/work/shared/corpus")  # as in tests/compiler/test_import_roundtrip.py

SHOP_DDL = """\
CREATE TABLE customer (
  id bigint PRIMARY KEY,
  email text NOT NULL UNIQUE
);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
  placed_at timestamptz NOT NULL DEFAULT now()
);
CREATE VIEW big_orders AS SELECT * FROM orders;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
"""

BAD_DDL = "CREATE TABLE a (\n  id int PRIMARY KEY,\n  b text DEFAULT 'x\n);\n"


def card(page: Any, name: str) -> Any:
    return page.locator(".table-card").filter(has=page.get_by_role("heading", name=name, exact=True))


def open_dialog(page: Any, app: App) -> Any:
    page.goto(f"{app.url}/designs/")
    page.get_by_role("link", name="Import schema…").click()
    dialog = page.get_by_role("dialog", name="Import a schema")
    expect(dialog).to_be_visible()
    return dialog


def design_names(app: App, page: Any) -> list[str]:
    response = page.request.get(f"{app.url}/api/designs")
    assert response.ok, response.text()
    return [d["name"] for d in response.json()]


def test_pasted_ddl_lists_what_was_skipped_then_opens_the_design(app: App, new_page: Any) -> None:
    page = new_page()
    sign_up(page, app, unique("paste"))
    page.goto(f"{app.url}/designs/")

    # Keyboard only: the button opens the dialog, arrows pick the source, Tab reaches the text.
    page.get_by_role("link", name="Import schema…").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Import a schema")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("radio", name="Upload a file")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(dialog.get_by_role("radio", name="Paste text")).to_be_checked()
    expect(dialog.get_by_label("Schema file")).to_be_hidden()
    page.keyboard.press("Tab")
    expect(dialog.get_by_label("Schema text")).to_be_focused()
    page.keyboard.insert_text(SHOP_DDL)
    dialog.get_by_label("Design name").fill("Shop import")
    dialog.get_by_label("Format").select_option("postgres")
    screenshot(page, "import-dialog-paste", full_page=False)
    dialog.get_by_role("button", name="Import").click()

    # The summary lists the skipped statements by kind, with their lines.
    expect(dialog.get_by_role("heading", name="Imported “Shop import”")).to_be_visible(timeout=20_000)
    skipped = dialog.get_by_role("table", name="Statements skipped, by kind")
    expect(skipped.get_by_role("row", name=re.compile(r"CREATE VIEW\s+1\s+10"))).to_be_visible()
    expect(skipped.get_by_role("row", name=re.compile(r"CREATE FUNCTION\s+1\s+11"))).to_be_visible()
    expect(dialog).to_contain_text("2 tables imported. 2 things could not be modelled")
    open_link = dialog.get_by_role("link", name="Open design")
    expect(open_link).to_be_focused()
    screenshot(page, "import-dialog-summary", full_page=False)

    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/d/[\w-]+/$"))
    expect(card(page, "customer")).to_be_visible(timeout=15_000)
    expect(card(page, "orders")).to_be_visible()
    screenshot(page, "import-opened-design", full_page=False)


def test_an_uploaded_file_with_nothing_skipped_opens_at_once(app: App, new_page: Any) -> None:
    page = new_page()
    sign_up(page, app, unique("upload"))
    dialog = open_dialog(page, app)
    expect(dialog.get_by_role("radio", name="Upload a file")).to_be_checked()
    dialog.get_by_label("Schema file").set_input_files(str(CORPUS / "sqlite" / "chinook.sql"))
    dialog.get_by_role("button", name="Import").click()  # format detected: SQLite

    page.wait_for_url(re.compile(r"/d/[\w-]+/$"), timeout=30_000)
    expect(page.get_by_role("heading", name="chinook", level=1)).to_be_visible()
    for table in ("Album", "Artist", "Track", "InvoiceLine"):
        expect(card(page, table)).to_be_visible(timeout=15_000)


def test_a_file_over_the_size_cap_is_refused_before_it_is_sent(app: App, new_page: Any, tmp_path: Path) -> None:
    page = new_page()
    sign_up(page, app, unique("big"))
    dialog = open_dialog(page, app)
    big = tmp_path / "dump.sql"
    big.write_bytes(b"-- " + b"x" * (21 * 1024 * 1024))
    dialog.get_by_label("Schema file").set_input_files(str(big))
    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text("dump.sql is 21.0 MB, over the 20.0 MB limit")
    expect(alert).to_contain_text("import the schema only")


def test_a_bad_paste_shows_line_and_column_and_keeps_the_text(app: App, new_page: Any) -> None:
    page = new_page()
    sign_up(page, app, unique("bad"))
    dialog = open_dialog(page, app)
    dialog.get_by_role("radio", name="Paste text").check()
    text = dialog.get_by_label("Schema text")
    text.fill(BAD_DDL)
    dialog.get_by_label("Design name").fill("Broken")
    dialog.get_by_role("button", name="Import").click()

    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text(re.compile(r"Line 3, column \d+: "))
    expect(alert).to_contain_text("Nothing was created; your text is kept above.")
    expect(alert.locator("pre")).to_contain_text("3 |   b text DEFAULT 'x")
    expect(text).to_have_value(BAD_DDL)
    expect(text).to_be_focused()
    expect(text).to_have_attribute("aria-invalid", "true")
    expect(dialog.get_by_role("button", name="Import")).to_be_enabled()
    screenshot(page, "import-dialog-error", full_page=False)
    assert "Broken" not in design_names(app, page)

    # Fixing the text in place and importing again works.
    text.fill(BAD_DDL.replace("'x\n", "'x'\n"))
    dialog.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/d/[\w-]+/$"), timeout=20_000)
    expect(card(page, "a")).to_be_visible(timeout=15_000)


def test_a_database_url_is_read_once_and_not_kept(app: App, new_page: Any) -> None:
    page = new_page(color_scheme="dark")
    sign_up(page, app, unique("url"))
    with scratch_postgres("importui") as url:
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE SCHEMA sales"))
            conn.execute(sa.text("CREATE TABLE sales.region (id int PRIMARY KEY, name text NOT NULL)"))
            conn.execute(sa.text("CREATE TABLE sales.rep (id int PRIMARY KEY, region_id int REFERENCES sales.region)"))
            conn.execute(sa.text("CREATE TABLE public.unrelated (id int PRIMARY KEY)"))
        engine.dispose()
        plain = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

        dialog = open_dialog(page, app)
        dialog.get_by_role("radio", name="Database URL").check()
        expect(dialog.get_by_text("Used once to read the schema")).to_be_visible()
        expect(dialog.get_by_label("Format")).to_be_hidden()
        dialog.get_by_label("Connection URL").fill(plain)
        dialog.get_by_label("Database schema").fill("sales")
        dialog.get_by_label("Design name").fill("Sales")
        screenshot(page, "import-dialog-url-dark", full_page=False)
        dialog.get_by_role("button", name="Import").click()
        page.wait_for_url(re.compile(r"/d/[\w-]+/$"), timeout=30_000)

    expect(card(page, "sales.region")).to_be_visible(timeout=15_000)
    expect(card(page, "sales.rep")).to_be_visible()
    expect(page.locator(".table-card")).to_have_count(2)
    # Never stored: the design (document and revisions) holds no trace of the URL.
    design = next(d for d in page.request.get(f"{app.url}/api/designs").json() if d["name"] == "Sales")
    stored = page.request.get(f"{app.url}/api/designs/{design['id']}").text()
    assert "importui" not in stored and "127.0.0.1" not in stored


def test_a_database_that_cannot_be_reached_is_a_message_not_a_design(app: App, new_page: Any) -> None:
    page = new_page()
    sign_up(page, app, unique("unreach"))
    dialog = open_dialog(page, app)
    dialog.get_by_role("radio", name="Database URL").check()
    dialog.get_by_label("Connection URL").fill("postgresql://nobody:secret-pw@127.0.0.1:1/none")
    dialog.get_by_role("button", name="Import").click()
    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text("could not read the database", timeout=20_000)
    expect(alert).not_to_contain_text("secret-pw")


def test_without_javascript_the_form_is_a_page_that_still_imports(app: App, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        sign_up(page, app, unique("nojs"))
        page.goto(f"{app.url}/designs/")
        expect(page.get_by_role("dialog")).to_have_count(0)  # a closed <dialog> is not shown
        page.get_by_role("link", name="Import schema…").click()
        page.wait_for_url(f"{app.url}/designs/import/")

        # Without :has() support all panes would show; Chromium has it, so pick the source first.
        page.get_by_role("radio", name="Paste text").check()
        page.get_by_label("Schema text").fill(BAD_DDL)
        page.get_by_role("button", name="Import").click()
        expect(page.get_by_role("alert")).to_contain_text(re.compile(r"Line 3, column \d+: "))
        expect(page.get_by_label("Schema text")).to_have_value(BAD_DDL)
        expect(page.get_by_role("radio", name="Paste text")).to_be_checked()
        screenshot(page, "import-page-nojs-error", full_page=False)

        page.get_by_label("Schema text").fill(SHOP_DDL)
        page.get_by_label("Design name").fill("No script shop")
        page.get_by_role("button", name="Import").click()
        expect(page.get_by_role("heading", name="Imported “No script shop”")).to_be_visible()
        expect(page.get_by_role("table", name="Statements skipped, by kind")).to_contain_text("CREATE VIEW")
        page.get_by_role("link", name="Open design").click()
        page.wait_for_url(re.compile(r"/d/[\w-]+/$"))
    finally:
        context.close()
