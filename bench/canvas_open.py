"""Open a 300-table, 400-relationship design in the editor and time it, in headless Chromium.

Reports, for the real app (embedded mode, production build of the front end):

- first open of a design created through the API without positions (the server lays it out on
  create, `designs/compiler/layout.py`): time to first table on screen and to interactive. The app
  and the browser are warmed first by opening a 3-table design once, so this is the design's first
  open, not the browser's first page load or the server's first request (``--cold`` skips that);
- reopening it: time to first render and to interactive;
- the create request itself (validation, the server's layout, the first revision) and the
  layout alone, in this process;
- frame times (median, p95) while dragging a table, at 100 % zoom and at fit-to-screen.

"Interactive" is when every table React Flow renders has been measured and shown and the main
thread has gone quiet (two animation frames less than 50 ms apart). Frame times are the gaps
between animation frames while the mouse drags a table header in 60 steps.

Usage: .venv/bin/python bench/canvas_open.py [--tables 300 --relationships 400 --screenshot DIR --cold]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import (  # noqa: E402 - the e2e fixtures' plain helpers start the app the same way
    CHROMIUM_ARGS,
    PASSWORD,
    build_frontend,
    chromium_path,
    free_port,
    python,
    wait_until_up,
)

GROUPS = ["billing", "crm", "catalog", "inventory", "shipping", "auth", "analytics", "support", "hr", "content"]
NOUNS = [
    "accounts", "invoices", "payments", "items", "events", "notes", "tags", "logs", "rules", "plans",
    "orders", "entries", "batches", "links", "files", "sessions", "tokens", "reviews", "tickets", "teams",
    "members", "prices", "periods", "regions", "rates", "versions", "jobs", "alerts", "reports", "audits",
]  # fmt: skip
TYPES = [{"name": "text"}, {"name": "integer"}, {"name": "varchar", "length": 120}, {"name": "timestamptz"},
         {"name": "boolean"}, {"name": "numeric", "precision": 12, "scale": 2}, {"name": "jsonb"}]  # fmt: skip


def synthetic(tables: int, relationships: int, seed: int = 7) -> dict[str, Any]:
    """A design whose tables share name prefixes (billing_*, crm_*…), with FKs mostly inside a group."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i in range(tables):
        group = GROUPS[i % len(GROUPS)]
        noun = NOUNS[(i // len(GROUPS)) % len(NOUNS)]
        suffix = "" if i < len(GROUPS) * len(NOUNS) else f"_{i}"
        tid = f"t{i}"
        columns = [{"id": f"{tid}_id", "name": "id", "type": {"name": "bigint"}, "nullable": False}]
        for c in range(rng.randint(4, 9)):
            columns.append({"id": f"{tid}_c{c}", "name": f"field_{c}", "type": rng.choice(TYPES)})
        out.append({"id": tid, "name": f"{group}_{noun}{suffix}", "columns": columns,
                    "primary_key": {"columns": [f"{tid}_id"]}})  # fmt: skip
    rels: list[dict[str, Any]] = []
    for r in range(relationships):
        child = rng.randrange(1, tables)
        same_group = [j for j in range(child % len(GROUPS), child, len(GROUPS))]
        parent = rng.choice(same_group) if same_group and rng.random() < 0.8 else rng.randrange(0, child)
        column = {"id": f"t{child}_fk{r}", "name": f"{out[parent]['name']}_id_{r}", "type": {"name": "bigint"}}
        out[child]["columns"].append(column)
        rels.append({"id": f"r{r}", "from_table": f"t{child}", "from_columns": [column["id"]],
                     "to_table": f"t{parent}", "to_columns": [f"t{parent}_id"]})  # fmt: skip
    return {"format": 1, "name": "Synthetic", "tables": out, "relationships": rels}


FIRST, REOPEN = "first open (laid out by the server)", "reopen"

# Runs in the page: poll every animation frame until the canvas is ready; times are ms since navigation.
READY_JS = """
(expected) => new Promise((resolve) => {
  let first = null, ready = null, last = performance.now();
  const tick = () => {
    const now = performance.now();
    const cards = document.querySelectorAll('.react-flow__node-table');
    if (first === null && cards.length) first = now;
    const hidden = [...cards].some((n) => n.style.visibility === 'hidden');
    const edges = document.querySelectorAll('.react-flow__edge').length;
    const layoutDone = !document.querySelector('[aria-label="Arranging…"]');
    if (cards.length && !hidden && edges >= expected && layoutDone) {
      if (ready === null) ready = now;
      if (now - last < 50) { resolve({first, interactive: now}); return; }
    } else {
      ready = null;
    }
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})
"""

FRAMES_JS = """
() => { window.__frames = []; let last = performance.now(); window.__recording = true;
  const tick = () => { const now = performance.now(); window.__frames.push(now - last); last = now;
    if (window.__recording) requestAnimationFrame(tick); };
  requestAnimationFrame(tick); }
"""


def drag_frames(page: Any, table_id: str) -> list[float]:
    head = page.locator(f'.react-flow__node[data-id="{table_id}"] .table-card-head')
    box = head.bounding_box()
    assert box, "table header not on screen"
    x, y = box["x"] + min(40, box["width"] / 2), box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.evaluate(FRAMES_JS)
    for i in range(1, 61):
        page.mouse.move(x + i * 4, y + i * 2)
        page.wait_for_timeout(16)
    page.evaluate("() => { window.__recording = false; }")
    page.mouse.up()
    frames = page.evaluate("() => window.__frames")
    return [float(f) for f in frames[1:]]


def layout_ms(document: dict[str, Any]) -> float:
    """The server's layout of ``document``, timed on its own (median of 20 runs, ms)."""
    from designs.compiler.layout import layout
    from designs.compiler.validate import load

    doc = load(document)
    times = []
    for _ in range(20):
        started = time.perf_counter()
        layout(doc)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=300)
    parser.add_argument("--relationships", type=int, default=400)
    parser.add_argument("--screenshot", type=Path, default=ROOT / "test-results" / "bench")
    parser.add_argument("--cold", action="store_true", help="no warm-up: first open is also the first page load")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    build_frontend()
    data_dir = Path(tempfile.mkdtemp(prefix="dbstudio-bench-canvas-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({"DBSTUDIO_DATA_DIR": str(data_dir), "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_COOKIES": "false"})  # fmt: skip
    subprocess.run([python(), "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = data_dir / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [python(), "-m", "uvicorn", "dbstudio.asgi:application", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    results: dict[str, Any] = {}
    try:
        wait_until_up(url, server, log)
        document = synthetic(args.tables, args.relationships)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(f"{url}/accounts/signup/")
            page.get_by_label("Username").fill("bench")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_label("Password confirmation").fill(PASSWORD)
            page.get_by_role("button", name="Create account").click()
            page.wait_for_url(f"{url}/designs/")
            csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")

            def create(name: str, doc: dict[str, Any]) -> Any:
                return page.request.post(
                    f"{url}/api/designs", data=json.dumps({"name": name, "document": doc}),
                    headers={"Content-Type": "application/json", "X-CSRFToken": csrf},
                )  # fmt: skip

            if not args.cold:
                small = create("Warm-up", synthetic(3, 2))
                assert small.status == 201, small.text()
                page.goto(f"{url}{small.json()['url']}", wait_until="commit")
                page.evaluate(READY_JS, 1)
            started = time.perf_counter()
            response = create("Synthetic", document)
            results["create"] = (time.perf_counter() - started) * 1000
            assert response.status == 201, response.text()
            editor = f"{url}{response.json()['url']}"
            stored = page.request.get(f"{url}/api/designs/{response.json()['id']}/document").json()
            assert stored.get("areas"), "the server did not lay the design out"

            page.goto(editor, wait_until="commit")
            first = page.evaluate(READY_JS, 1)
            results[FIRST] = first
            page.locator(".save-status", has_text="Saved").wait_for(timeout=60_000)
            args.screenshot.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.screenshot / "canvas-300-first-open.png"))

            page.goto(editor, wait_until="commit")
            again = page.evaluate(READY_JS, 1)
            results[REOPEN] = again
            page.wait_for_timeout(500)
            page.screenshot(path=str(args.screenshot / "canvas-300-fit.png"))

            table = "t5"
            fit = drag_frames(page, table)
            page.keyboard.press("Control+k")
            page.get_by_role("combobox").fill(document["tables"][5]["name"])
            page.keyboard.press("Enter")
            page.wait_for_timeout(400)
            page.screenshot(path=str(args.screenshot / "canvas-300-zoom-100.png"))
            full = drag_frames(page, table)
            results["drag at 100%"] = full
            results["drag at fit"] = fit
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    warm = "cold: the first page load" if args.cold else "after a warm-up open of a 3-table design"
    print(f"Design: {args.tables} tables, {args.relationships} relationships; viewport 1280x800, headless Chromium;"
          f" first open {warm}")  # fmt: skip
    print()
    print("| measure | first render (ms) | interactive (ms) |")
    print("|---|---:|---:|")
    for key in (FIRST, REOPEN):
        r = results[key]
        print(f"| {key} | {r['first']:.0f} | {r['interactive']:.0f} |")
    print()
    print("| drag | frames | median frame (ms) | p95 frame (ms) |")
    print("|---|---:|---:|---:|")
    for key in ("drag at 100%", "drag at fit"):
        f = results[key]
        print(f"| {key} | {len(f)} | {statistics.median(f):.1f} | {p95(f):.1f} |")
    print()
    print(f"Create through the API (validate, lay out, first revision): {results['create']:.0f} ms; "
          f"the layout alone, median of 20 in this process: {layout_ms(document):.1f} ms")  # fmt: skip
    print(f"Load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"\n(run took {time.monotonic() - started:.0f} s)")
