"""``{% vite_entry "src/editor.tsx" %}``: the script and stylesheet tags of a Vite-built entry.

Vite writes ``static/dist/.vite/manifest.json`` mapping each source entry to its hashed output
files. This tag reads it (cached, re-read when the file changes, so a rebuild needs no restart)
and emits ``<link rel="stylesheet">``, ``<link rel="modulepreload">`` and
``<script type="module">`` tags with ``{% static %}`` URLs. When the front end has not been
built, it shows a friendly warning in the page instead of failing the whole request.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
log = logging.getLogger(__name__)

BUILD_HINT = "npm --prefix frontend run build"


class ManifestError(Exception):
    """The manifest is missing, unreadable, or does not list the entry."""


@dataclass
class _Cached:
    mtime_ns: int
    data: dict[str, Any]


_cache: dict[Path, _Cached] = {}
_lock = threading.Lock()


def manifest_path() -> Path:
    """Where Vite writes the manifest: ``<BASE_DIR>/static/dist/.vite/manifest.json`` unless configured."""
    configured = getattr(settings, "DBSTUDIO_VITE_MANIFEST", None)
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR) / "static" / "dist" / ".vite" / "manifest.json"


def load_manifest(path: Path | None = None) -> dict[str, Any]:
    """The parsed manifest, from cache unless the file's mtime changed. Raises ManifestError."""
    path = path or manifest_path()
    try:
        mtime_ns = path.stat().st_mtime_ns
    except OSError as exc:
        raise ManifestError(f"{path} not found") from exc
    with _lock:
        cached = _cache.get(path)
        if cached is not None and cached.mtime_ns == mtime_ns:
            return cached.data
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ManifestError(f"{path} could not be read: {exc}") from exc
        if not isinstance(data, dict):
            raise ManifestError(f"{path} is not a Vite manifest")
        _cache[path] = _Cached(mtime_ns, data)
        return data


def entry_files(manifest: dict[str, Any], entry: str) -> tuple[str, list[str], list[str]]:
    """The entry's script, its stylesheets and the chunks to preload, as paths under dist/.

    CSS of statically imported chunks is included too, since the browser needs it before the
    entry runs; each file appears once, in import order.
    """
    chunk = manifest.get(entry)
    if not isinstance(chunk, dict) or "file" not in chunk:
        raise ManifestError(f"the manifest has no entry {entry!r}")
    css: list[str] = []
    preload: list[str] = []
    seen: set[str] = set()

    def walk(key: str, is_entry: bool) -> None:
        if key in seen:
            return
        seen.add(key)
        item = manifest.get(key)
        if not isinstance(item, dict):
            return
        for imported in item.get("imports", []):
            walk(imported, False)
        for sheet in item.get("css", []):
            if sheet not in css:
                css.append(sheet)
        if not is_entry and item.get("file") and item["file"] not in preload:
            preload.append(item["file"])

    walk(entry, True)
    return chunk["file"], css, preload


def dist_url(file: str) -> str:
    return static(f"dist/{file}")


def missing_build_warning(entry: str, reason: str) -> SafeString:
    """A visible note in the page, instead of a 500, when the front end has not been built."""
    log.warning("vite_entry %s: %s", entry, reason)
    return format_html(
        '<div class="build-warning" role="alert">'
        "<strong>The editor's front end has not been built.</strong> "
        "Run <code>{}</code> (or start the app with <code>bash scripts/serve</code>) and reload this page."
        "</div>",
        BUILD_HINT,
    )


@register.simple_tag
def vite_entry(entry: str, optional: bool = False) -> SafeString:
    """Emit the tags that load a Vite entry, e.g. ``{% vite_entry "src/editor.tsx" %}``.

    ``optional=True`` is for progressive enhancement of a page that works without it: a missing
    build then emits nothing instead of the warning.
    """
    try:
        script, css, preload = entry_files(load_manifest(), entry)
    except ManifestError as exc:
        if optional:
            log.info("vite_entry %s (optional): %s", entry, exc)
            return mark_safe("")
        return missing_build_warning(entry, str(exc))
    parts = [
        format_html_join("", '<link rel="stylesheet" href="{}">', ((dist_url(f),) for f in css)),
        format_html_join("", '<link rel="modulepreload" href="{}">', ((dist_url(f),) for f in preload)),
        format_html('<script type="module" src="{}"></script>', dist_url(script)),
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every part above is built with format_html
