"""Every export is byte-identical across processes, whatever Python's hash seed (sets and dicts of
strings iterate in a per-process order, so an exporter that walks one without sorting shows here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import glob, hashlib, json
from designs.compiler.export import FORMATS, export
from designs.compiler.validate import load
for path in sorted(glob.glob("tests/fixtures/designs/*.json")):
    doc = load(json.load(open(path, encoding="utf-8")))
    for to in sorted(FORMATS):
        out = export(doc, to)
        digest = hashlib.sha256((out.text + "\\n".join(out.warnings)).encode()).hexdigest()[:16]
        print(path.rsplit("/", 1)[-1], to, digest)
"""


def exports_with_seed(seed: str) -> list[str]:
    env = {"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.splitlines()


def test_every_export_of_every_fixture_is_the_same_under_two_hash_seeds() -> None:
    first, second = exports_with_seed("1"), exports_with_seed("4242")
    assert len(first) >= 20 * 8
    assert [line for line in first if line not in second] == []
