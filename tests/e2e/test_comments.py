"""Review comments and the review workflow, seen by two people at once (two browser contexts).

The owner (A) and a second member (B) open the same design: A's comment on a column appears in B's
Comments tab and as a badge on B's canvas without a reload, its label follows A's rename, resolving
hides it, and a thread on a deleted column stays readable as outdated. The review status chip walks
through submit, approve and a stale approval after an edit.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import App, create_design, post_json, screenshot, shop_document, sign_up, unique

pytestmark = pytest.mark.e2e

# The review status is polled every 5 s and a rename reaches B's thread after A's save: allow plenty.
LIVE = 20_000


def card(page: Page, name: str) -> Any:
    return page.locator(".table-card").filter(has=page.get_by_role("heading", name=name, exact=True))


def add_member(page: Page, app: App, design: dict[str, Any], username: str, role: str) -> None:
    """The owner (logged in on ``page``) adds a member through the members API."""
    response = post_json(page, app, f"/api/designs/{design['id']}/members", {"username": username, "role": role})
    assert response.status == 201, response.text()


def placed_shop() -> dict[str, Any]:
    """The shop design with its tables already placed, so nobody's editor arranges (and saves) it on open."""
    doc = shop_document()
    for i, table in enumerate(doc["tables"]):
        table["position"] = {"x": 40 + 380 * i, "y": 40}
    return doc


def two_people(
    app: App, new_page: Any, role_b: str, scheme_b: str = "light"
) -> tuple[Page, Page, str, str, dict[str, Any]]:
    """A (owner) and B (``role_b``), each in their own browser context, both on one design's editor."""
    a, b = new_page(), new_page(color_scheme=scheme_b)
    name_a, name_b = unique("alice"), unique("bob")
    sign_up(a, app, name_a)
    sign_up(b, app, name_b)
    design = create_design(a, app, unique("Shop "), placed_shop())
    add_member(a, app, design, name_b, role_b)
    for page in (a, b):
        page.goto(f"{app.url}{design['url']}")
        expect(page.get_by_role("toolbar", name="Editor tools")).to_be_visible()
        expect(card(page, "customers")).to_be_visible()
    return a, b, name_a, name_b, design


def select_column(page: Page, table: str, column: str) -> None:
    card(page, table).locator(".table-card-select").click()
    card(page, table).locator(".column-row", has_text=column).locator(".column-type").click()
    expect(card(page, table).locator(".column-row.is-active")).to_contain_text(column)


def thread(page: Page, label: str) -> Any:
    threads = page.get_by_role("list", name="Comment threads")
    return threads.get_by_role("listitem", name=f"Thread on {label}", exact=True)


def saved(page: Page) -> None:
    expect(page.locator(".save-status")).to_have_text("Saved", timeout=10_000)


def test_a_comment_on_a_column_is_live_for_others_follows_renames_and_outlives_its_column(
    app: App, new_page: Any
) -> None:
    a, b, name_a, name_b, design = two_people(app, new_page, "commenter")
    b.get_by_role("tab", name="Comments").click()
    expect(b.get_by_role("status").filter(has_text="No comments yet.")).to_be_visible()

    # A starts a thread on customers.email from the column's inspector, mentioning B.
    select_column(a, "customers", "email")
    a.get_by_role("button", name="Discuss customers.email in review comments").click()
    expect(a.get_by_role("tab", name="Comments")).to_have_attribute("aria-selected", "true")
    expect(a.get_by_label("New comment on")).to_have_value("c_customers_email")
    box = a.get_by_role("combobox", name="Comment on customers.email")
    expect(box).to_be_focused()
    box.press_sequentially(f"Should this be unique? @{name_b[:3]}")
    members = a.get_by_role("listbox", name="Members")
    expect(members.get_by_role("option", name=f"@{name_b}")).to_be_visible()
    box.press("Enter")  # picks the member from the list
    box.press_sequentially("what do you think?")
    expect(box).to_have_value(f"Should this be unique? @{name_b} what do you think?")
    a.get_by_role("button", name="Comment", exact=True).click()
    expect(thread(a, "customers.email")).to_contain_text("Should this be unique?")
    expect(thread(a, "customers.email").locator(".mention")).to_have_text(f"@{name_b}")

    # B sees it without reloading: in the open list, and as a badge on the column on the canvas.
    canvas_b = b.get_by_role("main", name="Canvas")
    badge = canvas_b.get_by_role("button", name="1 comment thread on email")
    expect(badge).to_be_visible(timeout=LIVE)
    expect(thread(b, "customers.email")).to_contain_text(f"@{name_b} what do you think?")
    expect(b.get_by_role("status").filter(has_text="1 open thread")).to_be_visible()

    # The badge opens the thread; B replies, and A gets the reply live.
    b.get_by_role("tab", name="Details").click()
    badge.click()
    expect(b.get_by_role("tab", name="Comments")).to_have_attribute("aria-selected", "true")
    expect(thread(b, "customers.email")).to_be_focused()
    thread(b, "customers.email").get_by_role("button", name="Reply").click()
    reply = b.get_by_role("combobox", name="Reply to the thread on customers.email")
    reply.fill("Yes: one account per address.")
    reply.press("Control+Enter")
    expect(thread(a, "customers.email").get_by_role("list", name="Replies")).to_contain_text(
        "Yes: one account per address.", timeout=LIVE
    )
    screenshot(b, "comments-thread", full_page=False)

    # A renames the column on the canvas: A's label follows at once, B's once A's edit is saved.
    card(a, "customers").locator(".table-card-select").click()
    card(a, "customers").locator(".column-row", has_text="email").locator(".column-name").dblclick()
    a.get_by_label("Column name").fill("email_address")
    a.get_by_label("Column name").press("Enter")
    a.get_by_role("tab", name="Comments").click()
    expect(thread(a, "customers.email_address")).to_be_visible()
    saved(a)
    expect(thread(b, "customers.email_address")).to_be_visible(timeout=LIVE)
    expect(thread(b, "customers.email_address")).to_contain_text("Should this be unique?")

    # Resolving takes the thread off the open list (and the badge off the canvas) for both.
    thread(a, "customers.email_address").get_by_role("button", name="Resolve").click()
    expect(b.get_by_role("status").filter(has_text="No open threads · 1 resolved")).to_be_visible(timeout=LIVE)
    expect(thread(b, "customers.email_address")).to_have_count(0)
    expect(canvas_b.get_by_role("button", name=re.compile(r"comment threads? on"))).to_have_count(0)
    b.get_by_label("Show resolved (1)").check()
    expect(thread(b, "customers.email_address")).to_contain_text(f"Resolved by {name_a}")

    # A thread on a column that is then deleted is kept, marked outdated, with the column's last name.
    select_column(a, "orders", "status")
    a.get_by_role("button", name="Discuss orders.status in review comments").click()
    a.get_by_role("combobox", name="Comment on orders.status").fill("Use the order_status enum here.")
    a.get_by_role("button", name="Comment", exact=True).click()
    expect(canvas_b.get_by_role("button", name="1 comment thread on status")).to_be_visible(timeout=LIVE)
    card(a, "orders").locator(".column-row", has_text="status").hover()
    a.get_by_role("button", name="Delete column status").click()
    saved(a)
    a.get_by_role("tab", name="Comments").click()
    for page in (a, b):
        outdated = thread(page, "orders.status")
        expect(outdated).to_contain_text("Outdated · deleted", timeout=LIVE)
        expect(outdated).to_contain_text("Use the order_status enum here.")
    expect(canvas_b.get_by_role("button", name=re.compile(r"comment threads? on"))).to_have_count(0)
    screenshot(b, "comments-outdated", full_page=False)

    # The server agrees: the thread carries the new name, the other is outdated.
    stored = a.request.get(f"{app.url}/api/designs/{design['id']}/comments").json()
    assert [t["anchor"]["label"] for t in stored] == ["customers.email_address", "orders.status"]
    assert [t["outdated"] for t in stored] == [False, True]


def test_a_commenter_cannot_edit_someone_elses_comment_and_a_bad_mention_is_explained(app: App, new_page: Any) -> None:
    a, b, _, name_b, _ = two_people(app, new_page, "commenter")
    a.get_by_role("tab", name="Comments").click()
    box = a.get_by_role("combobox", name="Comment on the design")
    box.fill("Ping @nobody_here about naming.")
    a.get_by_role("button", name="Comment", exact=True).click()
    expect(a.get_by_role("alert")).to_contain_text("Not members of this design: @nobody_here")
    expect(box).to_have_value("Ping @nobody_here about naming.")  # the text is kept to fix
    box.fill(f"Ping @{name_b} about naming.")
    a.get_by_role("button", name="Comment", exact=True).click()
    expect(thread(a, "the design")).to_contain_text("about naming.")

    b.get_by_role("tab", name="Comments").click()
    mine = thread(b, "the design")
    expect(mine).to_contain_text("about naming.", timeout=LIVE)
    expect(mine.get_by_role("button", name="Edit")).to_have_count(0)
    expect(mine.get_by_role("button", name="Delete")).to_have_count(0)

    # A edits, then deletes their own comment; B sees both live.
    thread(a, "the design").get_by_role("button", name="Edit").click()
    edit = a.get_by_role("combobox", name="Edit your comment")
    edit.fill("Naming: singular table names?")
    edit.press("Control+Enter")
    expect(mine).to_contain_text("Naming: singular table names?", timeout=LIVE)
    expect(mine).to_contain_text("(edited)")
    thread(a, "the design").get_by_role("button", name="Delete").click()
    thread(a, "the design").get_by_role("button", name="Delete it").click()
    expect(thread(b, "the design")).to_have_count(0, timeout=LIVE)


def chip(page: Page) -> Any:
    return page.get_by_role("button", name=re.compile(r"^Review status: "))


def test_review_workflow_submit_approve_and_an_edit_makes_the_approval_stale(app: App, new_page: Any) -> None:
    a, b, name_a, name_b, design = two_people(app, new_page, "commenter", scheme_b="dark")
    expect(chip(a)).to_have_accessible_name("Review status: Draft")

    # The owner submits; the reviewer's chip follows.
    chip(a).click()
    review_a = a.get_by_role("dialog", name="Review status")
    expect(review_a.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    review_a.get_by_role("button", name="Submit for review").click()
    expect(chip(a)).to_have_accessible_name("Review status: In review")
    expect(review_a).to_contain_text("Review cycle1")
    expect(review_a).to_contain_text(f"Submitted by{name_a}")
    expect(review_a).to_contain_text("You submitted this review, so someone else approves it.")
    expect(chip(b)).to_have_accessible_name("Review status: In review", timeout=LIVE)

    # A commenter may not submit or withdraw, only decide.
    chip(b).click()
    review_b = b.get_by_role("dialog", name="Review status")
    expect(review_b.get_by_role("button", name="Submit for review")).to_have_count(0)
    expect(review_b.get_by_role("button", name="Withdraw")).to_have_count(0)
    revision = a.request.get(f"{app.url}/api/designs/{design['id']}").json()["revision"]
    review_b.get_by_label("Note (optional)").fill("Looks good.")
    screenshot(b, "review-status-open", full_page=False)
    review_b.get_by_role("button", name=f"Approve revision {revision}").click()
    expect(chip(b)).to_have_accessible_name("Review status: Approved")
    expect(review_b.get_by_role("list", name="Decisions this cycle")).to_contain_text(
        f"{name_b} approved revision {revision}"
    )
    expect(review_b).to_contain_text("“Looks good.”")
    expect(chip(a)).to_have_accessible_name("Review status: Approved", timeout=LIVE)

    # An edit after the approval makes it stale, for the editor at once after the save and for the reviewer.
    a.keyboard.press("Escape")
    a.get_by_role("button", name="Add table").click()
    saved(a)
    expect(chip(a)).to_have_accessible_name("Review status: Approved · stale", timeout=LIVE)
    expect(chip(b)).to_have_accessible_name("Review status: Approved · stale", timeout=LIVE)
    expect(review_b.get_by_role("list", name="Decisions this cycle")).to_contain_text("(stale)")
    screenshot(b, "review-status-stale", full_page=False)

    # A decision on a design that left review is refused by the server, and the reason is shown.
    b.route("**/review-state", lambda route: route.abort())  # B's editor misses the change below
    chip(a).click()
    a.get_by_role("dialog", name="Review status").get_by_role("button", name="Withdraw").click()
    expect(chip(a)).to_have_accessible_name("Review status: Draft")
    review_b.get_by_role("button", name=re.compile("^Approve revision")).click()
    expect(review_b.get_by_role("alert")).to_have_text("The design is draft, not in review")
    b.unroute("**/review-state")

    # A new cycle: B asks for changes with a note, and A sees why.
    a.get_by_role("dialog", name="Review status").get_by_role("button", name="Submit for review").click()
    expect(chip(a)).to_have_accessible_name("Review status: In review")
    expect(chip(b)).to_have_accessible_name("Review status: In review", timeout=LIVE)
    review_b.get_by_label("Note (optional)").fill("Index orders.customer_id, please.")
    review_b.get_by_role("button", name="Request changes").click()
    expect(chip(b)).to_have_accessible_name("Review status: Changes requested")
    expect(chip(a)).to_have_accessible_name("Review status: Changes requested", timeout=LIVE)
    review_a = a.get_by_role("dialog", name="Review status")
    expect(review_a).to_contain_text("Review cycle2")
    expect(review_a.get_by_role("list", name="Decisions this cycle")).to_contain_text(
        f"{name_b} requested changes on revision"
    )
    expect(review_a).to_contain_text("“Index orders.customer_id, please.”")
    expect(review_a.get_by_role("button", name="Submit again")).to_be_visible()
    screenshot(a, "review-status-changes-requested", full_page=False)


def test_a_viewer_reads_threads_and_the_review_status_but_cannot_take_part(app: App, new_page: Any) -> None:
    a, v, name_a, _, design = two_people(app, new_page, "viewer")
    response = post_json(
        a,
        app,
        f"/api/designs/{design['id']}/comments",
        {"anchor_kind": "table", "anchor_id": "t_orders", "body": "Partition by month?"},
    )
    assert response.status == 201, response.text()

    v.get_by_role("main", name="Canvas").get_by_role("button", name="1 comment thread on orders").click(timeout=LIVE)
    on_orders = thread(v, "orders")
    expect(on_orders).to_contain_text("Partition by month?")
    expect(on_orders).to_contain_text(name_a)
    expect(on_orders.get_by_role("button", name=re.compile("^(Reply|Resolve|Edit|Delete)$"))).to_have_count(0)
    expect(v.get_by_label("New comment on")).to_have_count(0)

    chip(v).click()
    review = v.get_by_role("dialog", name="Review status")
    expect(review).to_contain_text("Viewers can follow the review but not take part.")
    expect(review.get_by_role("button")).to_have_count(0)
