"""``{% vite_entry %}``: tags from the Vite manifest, a friendly note when the build is missing.

These run without a browser (no e2e mark): they render the tag against manifests written here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template

from designs.templatetags import vite

ENTRY = "src/editor.tsx"


def render(entry: str = ENTRY) -> str:
    return Template('{% load vite %}{% vite_entry "' + entry + '" %}').render(Context({}))


@pytest.fixture
def manifest(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "dist" / ".vite" / "manifest.json"
    path.parent.mkdir(parents=True)
    settings.DBSTUDIO_VITE_MANIFEST = str(path)
    return path


def write(path: Path, data: Any, bump: int = 0) -> None:
    path.write_text(json.dumps(data))
    if bump:
        # Some filesystems keep coarse mtimes: move it on so the change is visible.
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + bump))


@pytest.mark.parametrize(
    ("data", "expected", "unexpected"),
    [
        (
            {ENTRY: {"file": "assets/editor-abc.js", "isEntry": True}},
            ['<script type="module" src="/static/dist/assets/editor-abc.js"></script>'],
            ["<link"],
        ),
        (
            {ENTRY: {"file": "assets/editor-abc.js", "isEntry": True, "css": ["assets/editor-abc.css"]}},
            [
                '<link rel="stylesheet" href="/static/dist/assets/editor-abc.css">',
                '<script type="module" src="/static/dist/assets/editor-abc.js"></script>',
            ],
            ["modulepreload"],
        ),
        (
            {
                ENTRY: {
                    "file": "assets/editor.js",
                    "isEntry": True,
                    "imports": ["_vendor.js"],
                    "css": ["assets/e.css"],
                },
                "_vendor.js": {"file": "assets/vendor.js", "css": ["assets/vendor.css"]},
            },
            [
                '<link rel="stylesheet" href="/static/dist/assets/vendor.css">',
                '<link rel="stylesheet" href="/static/dist/assets/e.css">',
                '<link rel="modulepreload" href="/static/dist/assets/vendor.js">',
            ],
            [],
        ),
    ],
    ids=["script only", "script and css", "imported chunk css and preload"],
)
def test_it_emits_the_tags_the_manifest_lists(
    manifest: Path, data: Any, expected: list[str], unexpected: list[str]
) -> None:
    write(manifest, data)
    html = render()
    for fragment in expected:
        assert fragment in html
    for fragment in unexpected:
        assert fragment not in html


@pytest.mark.parametrize(
    ("content", "entry"),
    [
        (None, ENTRY),
        ("{not json", ENTRY),
        ("[]", ENTRY),
        (json.dumps({"src/other.ts": {"file": "x.js"}}), ENTRY),
    ],
    ids=["missing", "not json", "not an object", "entry not listed"],
)
def test_it_shows_how_to_build_instead_of_failing(manifest: Path, content: str | None, entry: str) -> None:
    if content is not None:
        manifest.write_text(content)
    html = render(entry)
    assert 'class="build-warning"' in html
    assert "npm --prefix frontend run build" in html
    assert "<script" not in html


def test_it_rereads_the_manifest_after_a_rebuild(manifest: Path) -> None:
    write(manifest, {ENTRY: {"file": "assets/editor-old.js"}})
    assert "editor-old.js" in render()
    write(manifest, {ENTRY: {"file": "assets/editor-new.js"}}, bump=5_000_000)
    html = render()
    assert "editor-new.js" in html
    assert "editor-old.js" not in html


def test_it_serves_a_cached_manifest_while_the_file_is_unchanged(manifest: Path) -> None:
    write(manifest, {ENTRY: {"file": "assets/editor.js"}})
    first = vite.load_manifest(manifest)
    assert vite.load_manifest(manifest) is first
