"""SARIF 2.1.0 output, so code-scanning tools (GitHub, GitLab, IDEs) can show review findings.

A design document has no source lines, so each result carries a logical location: the object's
JSON path (``tables[2].columns[0]``) as its fully qualified name and its id as the name, plus the
design file as the artifact when the caller knows it.
"""

from __future__ import annotations

from typing import Any

from .framework import REGISTRY, Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
DOCS = "docs/review-rules.md"


def to_sarif(findings: list[Finding], artifact: str | None = None) -> dict[str, Any]:
    """A SARIF log with one run: every rule in the driver, one result per finding."""
    codes = sorted(REGISTRY)
    position = {code: i for i, code in enumerate(codes)}
    rules = [
        {
            "id": code,
            "name": REGISTRY[code].name,
            "shortDescription": {"text": REGISTRY[code].summary},
            "fullDescription": {"text": REGISTRY[code].why},
            "helpUri": f"{DOCS}#{code.lower()}-{REGISTRY[code].name}",
            "defaultConfiguration": {"level": LEVELS[REGISTRY[code].severity]},
            "properties": {"tags": [REGISTRY[code].theme], "fixable": REGISTRY[code].fixable},
        }
        for code in codes
    ]
    results = []
    for finding in findings:
        location: dict[str, Any] = {
            "logicalLocations": [
                {"name": finding.object_id or "design", "fullyQualifiedName": finding.path or "$", "kind": "object"}
            ]
        }
        if artifact:
            location["physicalLocation"] = {"artifactLocation": {"uri": artifact}}
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": position[finding.code],
            "level": LEVELS[finding.severity],
            "message": {"text": finding.message},
            "locations": [location],
        }
        if finding.fix:
            result["properties"] = {"fix": finding.fix.title}
        results.append(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "dbstudio-review", "informationUri": DOCS, "rules": rules}},
                "results": results,
            }
        ],
    }
