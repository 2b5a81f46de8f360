"""Live co-editing in the browser: two people (two browser contexts) on one design.

Edits reach the other person through the Yjs socket, concurrent edits to different tables both
survive, undo is per person, going offline and back converges, and each sees who else is here.
Review decisions reach the other person at once over the socket (polled only while it is down), and
two people editing through a server restart or crash converge without losing an acknowledged edit.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from .conftest import App, Server, create_design, csrf, screenshot, shop_document, sign_up, unique

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def team(app: App, browser: Any) -> dict[str, Any]:
    """Two signed-up people: `ann` (owner of the designs) and `bob` (made an editor of each)."""
    states = {}
    for who in ("ann", "bob"):
        context = browser.new_context()
        page = context.new_page()
        username = unique(who)
        sign_up(page, app, username)
        states[who] = {"state": context.storage_state(), "username": username}
        context.close()
    return states


def open_pair(app: App, new_page: Any, team: dict[str, Any], role: str = "editor") -> tuple[Page, Page, dict[str, Any]]:
    ann = new_page(storage_state=team["ann"]["state"])
    ann.goto(f"{app.url}/designs/")
    design = create_design(ann, app, unique("Shared "), shop_document())
    response = ann.request.post(
        f"{app.url}/api/designs/{design['id']}/members",
        data=json.dumps({"username": team["bob"]["username"], "role": role}),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf(ann)},
    )
    assert response.ok, response.text()
    bob = new_page(storage_state=team["bob"]["state"])
    for page in (ann, bob):
        page.goto(f"{app.url}{design['url']}")
        expect(page.locator(".table-card")).to_have_count(3)
    live(ann)
    expect(bob.locator(".workspace")).to_have_attribute("data-live", "true")
    if role == "editor":
        live(bob)
    return ann, bob, design


def live(page: Page) -> None:
    """Wait until the editor is on the live socket and the server has everything it did."""
    expect(page.locator(".workspace")).to_have_attribute("data-live", "true", timeout=10_000)
    expect(page.locator(".save-status")).to_have_text("Saved", timeout=10_000)


def card(page: Page, name: str) -> Any:
    return page.locator(".table-card").filter(has=page.get_by_role("heading", name=name, exact=True))


def rename_table(page: Page, old: str, new: str) -> None:
    card(page, old).locator(".table-card-select").click()
    card(page, old).locator(".table-card-title").dblclick()
    page.get_by_label("Table name").fill(new)
    page.get_by_label("Table name").press("Enter")


def stored(page: Page, app: App, design: dict[str, Any]) -> dict[str, Any]:
    response = page.request.get(f"{app.url}/api/designs/{design['id']}/document")
    assert response.ok, response.text()
    return dict(response.json())


def test_an_edit_in_one_browser_appears_in_the_other_within_a_second(app: App, new_page: Any, team: Any) -> None:
    ann, bob, design = open_pair(app, new_page, team)
    rename_table(ann, "customers", "clients")
    started = time.monotonic()
    expect(card(bob, "clients")).to_be_visible(timeout=5_000)
    assert time.monotonic() - started < 1.0 + 0.5  # a second, plus Playwright's polling
    # The live edit becomes a revision like a REST save did.
    live(ann)
    assert [t["name"] for t in stored(ann, app, design)["tables"]] == ["clients", "orders", "audit_entries"]


def test_concurrent_edits_to_different_tables_both_survive(app: App, new_page: Any, team: Any) -> None:
    ann, bob, design = open_pair(app, new_page, team)
    rename_table(ann, "customers", "clients")
    rename_table(bob, "orders", "purchases")
    for page in (ann, bob):
        expect(card(page, "clients")).to_be_visible()
        expect(card(page, "purchases")).to_be_visible()
        live(page)
    names = sorted(t["name"] for t in stored(ann, app, design)["tables"])
    assert names == ["audit_entries", "clients", "purchases"]


def test_typing_in_the_text_panel_keeps_what_others_did_meanwhile(app: App, new_page: Any, team: Any) -> None:
    ann, bob, design = open_pair(app, new_page, team)
    ann.get_by_role("tab", name="Mermaid").click()
    area = ann.get_by_label("Mermaid text")
    expect(area).to_have_value(re.compile(r"customers \{"))
    printed = area.input_value()
    # Ann is mid-edit (a typo keeps her text unparsed, so it is not reprinted under her)...
    area.fill(printed.replace("    orders {", "    orders {{ oops", 1))
    expect(ann.locator("#mermaid-error")).to_be_visible()
    # ... while Bob renames a table and adds one, which her text knows nothing of, and renames a
    # column of the table she is editing.
    rename_table(bob, "customers", "clients")
    bob.get_by_role("button", name="Add table").click()
    expect(bob.locator(".table-card")).to_have_count(4)
    orders = card(bob, "orders")
    orders.locator(".table-card-select").click()
    orders.locator(".column-row", has_text="status").locator(".column-name").dblclick()
    bob.get_by_label("Column name").fill("state")
    bob.get_by_label("Column name").press("Enter")
    expect(card(ann, "clients")).to_be_visible()
    expect(ann.locator(".table-card")).to_have_count(4)
    expect(card(ann, "orders").locator(".column-name", has_text="state")).to_be_visible()
    # Her edit lands, and Bob's edits stay, the one to the same table too (merged column by column).
    area.fill(printed.replace("numeric(12,2) total", "numeric(14,2) total"))
    expect(ann.locator("#mermaid-error")).to_have_count(0)
    for page in (ann, bob):
        expect(card(page, "orders").get_by_text("numeric(14,2)")).to_be_visible()
        expect(card(page, "orders").locator(".column-name")).to_have_text(["id", "customer_id", "total", "state"])
        expect(card(page, "clients")).to_be_visible()
        expect(page.locator(".table-card")).to_have_count(4)
        live(page)
    tables = {t["name"]: t for t in stored(ann, app, design)["tables"]}
    assert set(tables) == {"clients", "orders", "audit_entries", "new_table"}
    total = next(c for c in tables["orders"]["columns"] if c["name"] == "total")
    assert total["type"] == {"name": "numeric", "precision": 14, "scale": 2}
    assert [c["name"] for c in tables["orders"]["columns"]] == ["id", "customer_id", "total", "state"]


def test_undo_reverts_only_ones_own_edit(app: App, new_page: Any, team: Any) -> None:
    ann, bob, _ = open_pair(app, new_page, team)
    rename_table(ann, "customers", "clients")
    expect(card(bob, "clients")).to_be_visible()
    rename_table(bob, "orders", "purchases")
    expect(card(ann, "purchases")).to_be_visible()

    ann.locator(".erd-canvas .react-flow__pane").click(position={"x": 5, "y": 5})
    ann.keyboard.press("Control+z")
    for page in (ann, bob):
        expect(card(page, "customers")).to_be_visible()
        expect(card(page, "purchases")).to_be_visible()
    # Redo brings it back, still without touching the other person's edit.
    ann.keyboard.press("Control+Shift+z")
    for page in (ann, bob):
        expect(card(page, "clients")).to_be_visible()
        expect(card(page, "purchases")).to_be_visible()


def test_one_drag_is_one_undo_step(app: App, new_page: Any, team: Any) -> None:
    ann, bob, _ = open_pair(app, new_page, team)
    node = ann.locator('.react-flow__node[data-id="t_orders"]')
    before = node.get_attribute("style")
    box = card(ann, "orders").locator(".table-card-head").bounding_box()
    assert box
    ann.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    ann.mouse.down()
    for step in range(1, 11):
        ann.mouse.move(box["x"] + box["width"] / 2 + 15 * step, box["y"] + box["height"] / 2 + 8 * step)
    ann.mouse.up()
    expect(node).not_to_have_attribute("style", before or "")
    moved = node.get_attribute("style")
    expect(bob.locator('.react-flow__node[data-id="t_orders"]')).to_have_attribute("style", moved or "")
    ann.locator(".erd-canvas .react-flow__pane").click(position={"x": 5, "y": 5})
    ann.keyboard.press("Control+z")
    expect(node).to_have_attribute("style", before or "")
    expect(bob.locator('.react-flow__node[data-id="t_orders"]')).to_have_attribute("style", before or "")


def test_going_offline_and_back_converges(app: App, new_page: Any, team: Any) -> None:
    ann, bob, design = open_pair(app, new_page, team)
    ann.context.set_offline(True)
    expect(ann.locator(".save-status")).to_contain_text("Offline")
    rename_table(ann, "customers", "clients")
    expect(ann.locator(".save-status")).to_contain_text("edits kept")
    rename_table(bob, "orders", "purchases")
    time.sleep(0.5)
    expect(card(bob, "customers")).to_be_visible()  # ann's offline edit has not arrived
    screenshot(ann, "collab-offline", full_page=False)

    ann.context.set_offline(False)
    for page in (ann, bob):
        expect(card(page, "clients")).to_be_visible(timeout=15_000)
        expect(card(page, "purchases")).to_be_visible(timeout=15_000)
        live(page)
    assert sorted(t["name"] for t in stored(ann, app, design)["tables"]) == ["audit_entries", "clients", "purchases"]


def test_presence_shows_who_is_here_with_their_cursor_and_selection(app: App, new_page: Any, team: Any) -> None:
    ann, bob, _ = open_pair(app, new_page, team)
    bob_name = team["bob"]["username"]
    people = ann.get_by_role("list", name="People here")
    expect(people.get_by_role("listitem", name=bob_name)).to_be_visible()
    theirs = bob.get_by_role("list", name="People here")
    expect(theirs.get_by_role("listitem", name=team["ann"]["username"])).to_be_visible()

    card(bob, "orders").locator(".table-card-select").click()
    expect(people.get_by_role("listitem", name=f"{bob_name} — editing orders")).to_be_visible()
    expect(ann.locator(".presence-selection")).to_contain_text(f"{bob_name} · editing orders")
    pane = bob.locator(".erd-canvas .react-flow__pane").bounding_box()
    assert pane
    bob.mouse.move(pane["x"] + pane["width"] - 200, pane["y"] + 120)
    bob.mouse.move(pane["x"] + pane["width"] - 190, pane["y"] + 130)
    expect(ann.locator(".presence-cursor")).to_contain_text(bob_name)
    screenshot(ann, "collab-presence", full_page=False)

    bob.close()
    expect(people).to_have_count(0, timeout=10_000)


def test_a_rest_save_reaches_an_open_editor(app: App, new_page: Any, team: Any) -> None:
    ann, bob, design = open_pair(app, new_page, team)
    document = stored(ann, app, design)
    document["tables"][0]["name"] = "clients"
    response = ann.request.put(
        f"{app.url}/api/designs/{design['id']}/document",
        data=json.dumps(document),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf(ann), "X-Revision-Message": "from a script"},
    )
    assert response.ok, response.text()
    for page in (ann, bob):
        expect(card(page, "clients")).to_be_visible()


class HeldSocket:
    """The page's design socket, with what the server sends held back until ``release()``."""

    def __init__(self, page: Any) -> None:
        self.held: list[str | bytes] = []
        self.sockets: list[Any] = []
        self.holding = True
        page.route_web_socket(re.compile(r"/ws/designs/"), self._hold)

    def _hold(self, ws: Any) -> None:
        server = ws.connect_to_server()
        self.sockets.append(ws)
        server.on_message(lambda message: self.held.append(message) if self.holding else ws.send(message))

    def release(self) -> None:
        """Send the held messages to the page in order (with any that arrive meanwhile), then pass all."""
        [ws] = self.sockets
        sent = 0
        while sent < len(self.held):
            ws.send(self.held[sent])
            sent += 1
        self.holding = False


def test_edits_made_before_the_socket_synced_survive_the_hand_over_to_it(app: App, new_page: Any, team: Any) -> None:
    """The editor saves through REST until its socket has synced, then hands its edits to the live doc.

    The server writes each REST save into the live state too, and that write reaches the socket a
    moment later: arriving after the hand-over, it used to undo the edits handed over (on a loaded CI
    machine a new table went back to "new_table", its columns gone). Here the socket's messages to
    the page are held back while the page edits, so the saves always land first.
    """
    page = new_page(storage_state=team["ann"]["state"])
    page.goto(f"{app.url}/designs/")
    design = create_design(page, app, unique("Hand-over "), shop_document())
    socket = HeldSocket(page)
    page.goto(f"{app.url}{design['url']}")
    expect(page.locator(".table-card")).to_have_count(3)

    # One edit saved through REST, then more while its save may still be on its way.
    with page.expect_response(lambda r: r.url.endswith("/document") and r.request.method == "PUT", timeout=10_000):
        page.get_by_role("button", name="Add table").click()
    rename_table(page, "new_table", "suppliers")
    card(page, "suppliers").get_by_role("button", name="+ Add column").click()
    page.get_by_label("Column name").fill("vat_number")
    page.get_by_label("Column name").press("Enter")
    expect(page.locator(".workspace")).not_to_have_attribute("data-live", "true")

    # The socket's messages reach the page: it goes live.
    socket.release()
    live(page)
    expect(card(page, "suppliers")).to_contain_text("vat_number")
    expect(card(page, "new_table")).to_have_count(0)

    doc = stored(page, app, design)
    ids = [t["id"] for t in doc["tables"]]
    assert len(ids) == len(set(ids)) == 4, ids
    [suppliers] = [t for t in doc["tables"] if t["name"] == "suppliers"]
    assert [c["name"] for c in suppliers["columns"]] == ["id", "vat_number"]
    page.reload()
    expect(card(page, "suppliers")).to_contain_text("vat_number")
    expect(page.locator(".table-card")).to_have_count(4)


def test_hiding_the_page_during_the_hand_over_sends_no_second_copy_of_its_edits(
    app: App, new_page: Any, team: Any
) -> None:
    """While the live doc takes over (here: waiting for a REST save still on its way), the edits on
    screen go to the live doc. Hiding the page then used to PUT them as well: the server wrote that
    save into the live state while the hand-over wrote the same new column, and it came out twice."""
    page = new_page(storage_state=team["ann"]["state"])
    page.goto(f"{app.url}/designs/")
    design = create_design(page, app, unique("Hand-over hide "), shop_document())
    socket = HeldSocket(page)
    puts: list[Any] = []

    def hold_first_put(route: Any) -> None:
        if route.request.method != "PUT":
            route.continue_()
            return
        puts.append(route)
        if len(puts) > 1:
            route.continue_()

    page.route(re.compile(r"/api/designs/\d+/document$"), hold_first_put)
    page.goto(f"{app.url}{design['url']}")
    expect(page.locator(".table-card")).to_have_count(3)
    page.get_by_role("button", name="Add table").click()
    page.wait_for_timeout(1500)  # past the save debounce: the PUT is on its way (held)
    assert len(puts) == 1

    # The socket syncs; the hand-over waits for the held save.
    socket.release()
    card(page, "new_table").get_by_role("button", name="+ Add column").click()
    page.get_by_label("Column name").fill("vat_number")
    page.get_by_label("Column name").press("Enter")
    page.evaluate("""() => {
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
        document.dispatchEvent(new Event("visibilitychange"));
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
    }""")
    page.wait_for_timeout(500)
    puts[0].continue_()
    live(page)
    expect(card(page, "new_table").locator(".column-name", has_text="vat_number")).to_have_count(1)
    assert len(puts) == 1, "the edits went out twice: as a PUT and into the live doc"
    page.wait_for_timeout(500)
    table = next(t for t in stored(page, app, design)["tables"] if t["name"] == "new_table")
    assert [c["name"] for c in table["columns"]].count("vat_number") == 1, table["columns"]


def test_a_viewer_follows_live_edits_but_cannot_edit(app: App, new_page: Any, team: Any) -> None:
    ann, bob, _ = open_pair(app, new_page, team, role="viewer")
    expect(bob.locator(".save-status")).to_have_text("Read-only")
    expect(bob.get_by_role("button", name="Add table")).to_have_count(0)
    rename_table(ann, "customers", "clients")
    expect(card(bob, "clients")).to_be_visible()
    card(bob, "orders").locator(".table-card-select").click()
    bob.keyboard.press("Delete")
    bob.keyboard.press("t")
    expect(bob.locator(".table-card")).to_have_count(3)
    expect(ann.locator(".table-card")).to_have_count(3)
    # The viewer is present like anyone else.
    expect(ann.get_by_role("list", name="People here")).to_contain_text("BO")


def test_a_viewer_is_told_when_the_live_view_is_offline(app: App, new_page: Any, team: Any) -> None:
    ann, bob, _ = open_pair(app, new_page, team, role="viewer")
    status = bob.get_by_role("status").filter(has_text="Read-only")
    expect(status).to_have_text("Read-only")
    bob.context.set_offline(True)
    expect(status).to_have_text("Read-only · offline — reconnecting…")
    rename_table(ann, "customers", "clients")
    time.sleep(0.5)
    expect(card(bob, "customers")).to_be_visible()  # what they see is out of date, and they know it
    screenshot(bob, "collab-read-only-offline", full_page=False)
    bob.context.set_offline(False)
    expect(status).to_have_text("Read-only", timeout=15_000)
    expect(card(bob, "clients")).to_be_visible()


def test_a_commenter_whose_socket_never_connects_is_told_so(app: App, new_page: Any, team: Any) -> None:
    _, bob, _ = open_pair(app, new_page, team, role="commenter")
    bob.add_init_script(
        """(() => {
          const Real = window.WebSocket;
          window.WebSocket = class extends Real {
            constructor(url, protocols) { super(String(url).replace("/ws/designs/", "/ws/nowhere/"), protocols); }
          };
        })()"""
    )
    bob.reload()
    expect(bob.locator(".table-card")).to_have_count(3)
    expect(bob.get_by_role("status").filter(has_text="Read-only")).to_have_text("Read-only · offline — reconnecting…")


def test_someone_elses_revision_does_not_mark_ones_own_unstored_edit_saved(app: App, new_page: Any, team: Any) -> None:
    """Ann's save request is held back on its way to the server; Bob's save makes a revision that
    everyone hears about. Ann's editor says "Saved" only once the answer to her own request comes."""
    ann, bob, design = open_pair(app, new_page, team)
    held: list[str] = []
    heard: list[str] = []
    hold = {"on": False}
    routes: dict[str, Any] = {}

    def route(ws: Any) -> None:
        server = ws.connect_to_server()
        routes["server"] = server

        def from_page(message: str | bytes) -> None:
            if hold["on"] and isinstance(message, str) and json.loads(message).get("type") == "save":
                held.append(message)
            else:
                server.send(message)

        def from_server(message: str | bytes) -> None:
            if isinstance(message, str):
                heard.append(json.loads(message).get("type", ""))
            ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_server)

    ann.route_web_socket(re.compile(r"/ws/designs/"), route)
    ann.reload()
    live(ann)
    hold["on"] = True
    rename_table(ann, "customers", "clients")
    expect(ann.locator(".save-status")).to_have_text("Saving…")
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        ann.wait_for_timeout(100)
    assert held, "Ann's editor never asked to save"

    heard.clear()
    rename_table(bob, "orders", "purchases")
    live(bob)
    expect(card(ann, "purchases")).to_be_visible()
    while "revision.saved" not in heard and time.monotonic() < deadline + 10:
        ann.wait_for_timeout(100)
    assert "revision.saved" in heard
    ann.wait_for_timeout(300)
    expect(ann.locator(".save-status")).to_have_text("Saving…")

    # Her request reaches the server: its answer is hers, and now it is saved.
    hold["on"] = False
    for message in held:
        routes["server"].send(message)
    expect(ann.locator(".save-status")).to_have_text("Saved", timeout=10_000)
    assert sorted(t["name"] for t in stored(ann, app, design)["tables"]) == ["audit_entries", "clients", "purchases"]


def review_chip(page: Page) -> Any:
    return page.get_by_role("button", name=re.compile(r"^Review status: "))


def review_step(page: Page, button: str | re.Pattern[str]) -> None:
    """Open the review panel, press one of its buttons, and close it again."""
    review_chip(page).click()
    page.get_by_role("dialog", name="Review status").get_by_role("button", name=button).click()
    page.keyboard.press("Escape")


def test_review_decisions_reach_the_other_person_at_once_without_polling(app: App, new_page: Any, team: Any) -> None:
    ann, bob, _ = open_pair(app, new_page, team, role="commenter")
    fetches: list[float] = []  # when either page fetched the review state

    def count(request: Request) -> None:
        if request.url.endswith("/review-state") and request.method == "GET":
            fetches.append(time.monotonic())

    ann.on("request", count)
    bob.on("request", count)
    expect(review_chip(bob)).to_have_accessible_name("Review status: Draft")

    def arrives(page: Page, name: str) -> float:
        started = time.monotonic()
        expect(review_chip(page)).to_have_accessible_name(f"Review status: {name}", timeout=5_000)
        return time.monotonic() - started

    # Each step reaches the other person well within the 5 s the chip used to poll at.
    review_step(ann, "Submit for review")
    assert arrives(bob, "In review") < 2.0
    review_step(bob, re.compile(r"^Approve revision"))
    assert arrives(ann, "Approved") < 2.0
    review_step(bob, "Request changes")
    assert arrives(ann, "Changes requested") < 2.0
    # An edit makes the approval stale (a new revision is announced like a decision).
    review_step(ann, "Submit again")
    assert arrives(bob, "In review") < 2.0
    review_step(bob, re.compile(r"^Approve revision"))
    assert arrives(ann, "Approved") < 2.0
    rename_table(ann, "customers", "clients")
    live(ann)
    assert arrives(bob, "Approved · stale") < 2.0
    screenshot(bob, "review-status-live-stale", full_page=False)

    # And nobody polls while the socket is up: over more than a polling interval of quiet, neither
    # page fetches the review state.
    quiet_from = time.monotonic()
    time.sleep(6.0)
    assert [t for t in fetches if t >= quiet_from] == []


def test_the_review_state_is_polled_while_the_socket_is_down(app: App, new_page: Any, team: Any) -> None:
    ann, bob, _ = open_pair(app, new_page, team, role="commenter")
    # Bob's editor cannot reach the design's socket: every attempt goes to a path the server refuses.
    bob.add_init_script(
        """(() => {
          const Real = window.WebSocket;
          window.WebSocket = class extends Real {
            constructor(url, protocols) {
              super(String(url).replace("/ws/designs/", "/ws/nowhere/"), protocols);
              this.addEventListener("open", () => { window.socketsOpened = (window.socketsOpened ?? 0) + 1; });
            }
          };
        })()"""
    )
    bob.reload()
    expect(review_chip(bob)).to_have_accessible_name("Review status: Draft")
    review_step(ann, "Submit for review")
    # No frame can reach Bob; the fallback poll (every 5 s) still brings the change.
    expect(review_chip(bob)).to_have_accessible_name("Review status: In review", timeout=8_000)
    screenshot(bob, "review-status-polled-offline", full_page=False)
    # ... and not a fetch on (re)connecting: no socket ever opened.
    assert bob.evaluate("window.socketsOpened ?? 0") == 0


@pytest.mark.parametrize("how", ["restart", "crash"])
def test_two_people_editing_through_a_server_restart_converge_and_lose_no_acknowledged_edit(
    server: Server, new_page: Any, how: str
) -> None:
    app = server.app
    ann, bob = new_page(), new_page()
    bob_name = unique("bob")
    sign_up(bob, app, bob_name)
    sign_up(ann, app, unique("ann"))
    design = create_design(ann, app, unique("Shared "), shop_document())
    response = ann.request.post(
        f"{app.url}/api/designs/{design['id']}/members",
        data=json.dumps({"username": bob_name, "role": "editor"}),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf(ann)},
    )
    assert response.ok, response.text()
    for page in (ann, bob):
        page.goto(f"{app.url}{design['url']}")
        expect(page.locator(".table-card")).to_have_count(3)
        live(page)

    # Acknowledged edits on both sides ("Saved" = stored by the server), not yet in a revision for
    # the crash (the server saves a revision a few seconds after edits pause).
    rename_table(ann, "customers", "clients")
    rename_table(bob, "orders", "purchases")
    for page in (ann, bob):
        expect(page.locator(".save-status")).to_have_text("Saved", timeout=10_000)
        expect(card(page, "clients")).to_be_visible()
        expect(card(page, "purchases")).to_be_visible()

    server.stop(kill=how == "crash")
    for page in (ann, bob):
        expect(page.locator(".save-status")).to_contain_text("Offline", timeout=10_000)
    # Both go on editing while the server is down; these edits wait in their browsers.
    rename_table(ann, "audit.audit_entries", "audit_log")
    card(bob, "clients").locator(".table-card-select").click()
    card(bob, "clients").locator(".table-card-title").dblclick()
    bob.get_by_label("Table name").fill("customers_v2")
    bob.get_by_label("Table name").press("Enter")
    screenshot(bob, "collab-server-down", full_page=False)

    server.start()
    for page in (ann, bob):
        for name in ("customers_v2", "purchases", "audit.audit_log"):
            # The provider retries with backoff capped at 10 s.
            expect(card(page, name)).to_be_visible(timeout=20_000)
        live(page)
    names = sorted(t["name"] for t in stored(ann, app, design)["tables"])
    assert names == ["audit_log", "customers_v2", "purchases"]
    # And a fresh page (a third person, or a reload) reads the same from the server.
    ann.reload()
    for name in ("customers_v2", "purchases", "audit.audit_log"):
        expect(card(ann, name)).to_be_visible()
