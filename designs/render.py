"""The ERD as SVG and PNG, drawn by the pinned Mermaid in a headless Chromium (Playwright).

Not part of the pure compiler because it needs a browser. ``render_erd(mermaid_text)`` returns the
files for the bundle and warnings; with no browser or no Mermaid build it returns no files and a
warning, and the bundle says the ERD was not rendered.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings

# How DB Studio starts a headless Chromium; the browser tests start theirs the same way.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# The ERD's text is drawn without hinting, the same on every machine.
RENDER_ARGS = [*CHROMIUM_ARGS, "--font-render-hinting=none"]

# Fixed ids and no random seeds, so the same text always draws the same SVG.
MERMAID_CONFIG = {
    "startOnLoad": False,
    "securityLevel": "strict",
    "theme": "default",
    "deterministicIds": True,
    "deterministicIDSeed": "dbstudio-erd",
    "handDrawnSeed": 1,
    "htmlLabels": False,
    "er": {"useMaxWidth": False},
    "flowchart": {"htmlLabels": False},
}

RENDER_JS = """async ([source, config]) => {
  mermaid.initialize(config);
  const { svg } = await mermaid.render("erd", source);
  return svg;
}"""


def mermaid_js() -> Path | None:
    """The Mermaid build to use: the front end's pinned copy first, then the test harness's."""
    base = Path(settings.BASE_DIR)
    for candidate in (
        base / "frontend" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js",
        base / "tests" / "js" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js",
    ):
        if candidate.is_file():
            return candidate
    return None


def chromium_path() -> str | None:
    return os.environ.get("DBSTUDIO_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def render_erd(source: str, timeout_ms: int = 60_000) -> tuple[dict[str, bytes], list[str]]:
    """``{"docs/erd.svg": ..., "docs/erd.png": ...}`` and warnings; no files when rendering is impossible."""
    script = mermaid_js()
    browser_path = chromium_path()
    if script is None:
        return {}, ["ERD not rendered: no Mermaid build found (run npm ci in frontend/)"]
    if browser_path is None:
        return {}, ["ERD not rendered: no Chromium on this worker (set DBSTUDIO_CHROMIUM)"]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {}, ["ERD not rendered: Playwright is not installed on this worker"]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path, args=RENDER_ARGS, timeout=timeout_ms)
            try:
                page = browser.new_page(viewport={"width": 1600, "height": 1200}, device_scale_factor=1)
                page.set_default_timeout(timeout_ms)
                # Everything the page needs is inlined: a design's text can never make the worker fetch a URL.
                page.route("**/*", lambda route: route.abort())
                page.set_content("<!doctype html><html><body></body></html>")
                page.add_script_tag(path=str(script))
                svg = page.evaluate(RENDER_JS, [source, MERMAID_CONFIG])
                page.set_content(f'<!doctype html><html><body style="margin:0;background:#fff">{svg}</body></html>')
                png = page.locator("svg").first.screenshot(type="png", animations="disabled")
            finally:
                browser.close()
    except Exception as exc:  # the bundle is still useful without pictures; the warning says why
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return {}, [f"ERD not rendered: {type(exc).__name__}: {first}"]
    text = svg if svg.startswith("<?xml") else '<?xml version="1.0" encoding="UTF-8"?>\n' + svg
    return {"docs/erd.svg": text.encode("utf-8"), "docs/erd.png": png}, []
