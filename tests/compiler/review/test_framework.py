"""The review framework: configuration, suppressions, presets, ordering, SARIF, fixtures, CLI and speed."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from dbstudio.cli import main
from designs.compiler.review import NAMING_PRESETS, REGISTRY, apply_naming_preset, counts, find, lint
from designs.compiler.review.sarif import to_sarif
from designs.compiler.validate import load as load_fixture

from .build import D, T, col, idx, load, rel

FIXTURES = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "designs").glob("*.json"))
NO_PK = D(T("items", col("name"), pk=[]))


def review(rules: dict[str, Any] | None = None, suppress: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = dict(extra)
    if rules is not None:
        cfg["rules"] = rules
    if suppress is not None:
        cfg["suppress"] = suppress
    return {"review": cfg}


def with_settings(data: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    return {**data, "settings": settings}


@pytest.mark.parametrize(
    ("cfg", "severity"),
    [
        ({}, "error"),
        (review({"DS101": "warning"}), "warning"),
        (review({"missing-primary-key": "info"}), "info"),
        (review({"DS101": "off"}), None),
        (review({"DS101": "loud"}), "error"),  # an unknown level changes nothing (and DS001 reports it)
        (review(suppress=[{"rule": "DS101", "object": "items", "reason": "staging table, loaded by COPY"}]), None),
        (review(suppress=[{"rule": "missing-primary-key", "reason": "a whole-design suppression"}]), None),
        (review(suppress=[{"rule": "DS101", "object": "items"}]), "error"),  # no reason: does not count
        (review(suppress=[{"rule": "DS101", "object": "other", "reason": "elsewhere"}]), "error"),
    ],
)
def test_configuration_changes_or_hides_a_finding(cfg: dict[str, Any], severity: str | None) -> None:
    finding = find(lint(load(with_settings(NO_PK, cfg))), "DS101", "items")
    assert (finding.severity if finding else None) == severity


def test_a_suppression_on_a_table_covers_its_columns() -> None:
    data = D(T("things", col("seen", "timestamp")))
    assert find(lint(load(data)), "DS301", "things.seen") is not None
    settings = review(suppress=[{"rule": "DS301", "object": "things", "reason": "legacy wall-clock times"}])
    assert find(lint(load(with_settings(data, settings))), "DS301", "things.seen") is None


def test_a_suppression_on_a_table_covers_its_foreign_keys_but_not_the_referenced_tables() -> None:
    users = T("users", col("email"))
    posts = T("posts", col("author_id", "bigint"))
    data = D(users, posts, rels=(rel("posts", ["author_id"], "users", ["id"]),))
    assert find(lint(load(data)), "DS102", "r_posts_users") is not None
    on_child = review(suppress=[{"rule": "DS102", "object": "posts", "reason": "posts are read by id only"}])
    assert find(lint(load(with_settings(data, on_child))), "DS102", "r_posts_users") is None
    on_parent = review(suppress=[{"rule": "DS102", "object": "users", "reason": "not the referencing side"}])
    assert find(lint(load(with_settings(data, on_parent))), "DS102", "r_posts_users") is not None


def test_the_config_argument_overrides_the_document() -> None:
    doc = load(with_settings(NO_PK, review({"DS101": "warning"})))
    assert find(lint(doc, {"rules": {"DS101": "off"}}), "DS101", "items") is None


def test_findings_come_errors_first() -> None:
    findings = lint(load(D(T("items", col("seen", "timestamp"), pk=[]))))
    ranks = [("error", "warning", "info").index(f.severity) for f in findings]
    assert ranks == sorted(ranks) and findings[0].code == "DS101"


@pytest.mark.parametrize(
    ("preset", "name", "flagged"),
    [
        ("dbstudio", "idx_users_email", False),
        ("postgres", "idx_users_email", True),
        ("postgres", "users_email_idx", False),
        ("rails", "index_users_on_email", False),
        ("idx_table_columns", "idx_users_email", False),
    ],
)
def test_a_naming_preset_sets_the_convention_names_are_checked_against(preset: str, name: str, flagged: bool) -> None:
    data = D(T("users", col("email"), indexes=[idx("email", name=name)]), settings=review(naming=preset))
    assert (find(lint(load(data)), "DS405", "users.i0") is not None) is flagged
    applied = load(apply_naming_preset(D(T("users", col("email"), indexes=[idx("email", name=name)])), preset))
    assert (find(lint(applied), "DS405", "users.i0") is not None) is flagged


def test_presets_include_plural_snake_case_tables() -> None:
    assert NAMING_PRESETS["plural_snake"] == {"table_case": "snake", "table_number": "plural"}
    data = D(T("person"), T("people_groups"), settings=review(naming="plural_snake"))
    assert find(lint(load(data)), "DS404", "person") is not None


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_fixture_lints_without_errors(path: Path) -> None:
    findings = lint(load_fixture(json.loads(path.read_text())))
    assert [f for f in findings if f.severity == "error"] == []


def test_sarif_lists_every_rule_and_one_result_per_finding() -> None:
    findings = lint(load(NO_PK))
    log = to_sarif(findings, "design.json")
    run = log["runs"][0]
    assert log["version"] == "2.1.0" and len(run["tool"]["driver"]["rules"]) == len(REGISTRY)
    assert len(run["results"]) == len(findings)
    first = run["results"][0]
    assert first["ruleId"] == "DS101" and first["level"] == "error"
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "DS101"
    assert first["locations"][0]["logicalLocations"][0] == {
        "name": "items",
        "fullyQualifiedName": "tables[0]",
        "kind": "object",
    }


def run_cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["lint", *argv], stdout=out, stderr=err)
    return code, out.getvalue() + err.getvalue()


def test_the_cli_exits_1_on_errors_and_0_on_warnings(tmp_path: Path) -> None:
    bad, ok = tmp_path / "bad.json", tmp_path / "ok.json"
    bad.write_text(json.dumps(NO_PK))
    ok.write_text(json.dumps(D(T("items", col("seen", "timestamp")))))
    code, text = run_cli(str(bad))
    assert code == 1 and "DS101 error tables[0]: table items has no primary key" in text
    code, text = run_cli(str(ok))
    assert code == 0 and "DS301 warning" in text
    assert run_cli(str(bad), "--disable", "DS101")[0] == 0


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_the_cli_writes_machine_formats(tmp_path: Path, fmt: str) -> None:
    design = tmp_path / "d.json"
    design.write_text(json.dumps(NO_PK))
    code, text = run_cli(str(design), "--format", fmt)
    data = json.loads(text)
    assert code == 1
    if fmt == "json":
        assert data["counts"]["error"] == 1 and data["findings"][0]["object_id"] == "items"
        assert data["findings"][0]["fix"] == "add a primary key"
    else:
        assert data["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == str(
            design
        )


def test_the_cli_reports_an_invalid_design(tmp_path: Path) -> None:
    design = tmp_path / "d.json"
    design.write_text(json.dumps({"tables": [{"id": "t"}]}))
    code, text = run_cli(str(design))
    assert code == 1 and "tables[0].name" in text


def test_a_300_table_synthetic_design_lints_without_errors() -> None:
    # Its speed is measured by bench/lint.py (a benchmark, not a timed test).
    from bench.synthetic import design

    doc = design(tables=300, columns=4_500, foreign_keys=450, indexes=600)
    findings = lint(doc)
    assert counts(findings)["error"] == 0
    assert all(f.object_id is None or f.path for f in findings)
