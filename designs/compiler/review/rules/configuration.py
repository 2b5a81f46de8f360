"""The review configuration itself (``settings.review``): mistakes there would hide real findings."""

from __future__ import annotations

from collections.abc import Iterator

from ..framework import NAMING_PRESETS, SEVERITIES, Context, Hit, rule, rule_for


@rule(
    "DS001",
    "unknown-review-setting",
    "warning",
    summary="settings.review names a rule, severity or naming preset that does not exist.",
    why="""A misspelt rule code or level in the configuration silently does nothing, so the rule the
    team meant to turn off (or up) keeps its default.""",
)
def unknown_review_setting(ctx: Context) -> Iterator[Hit]:
    rules = ctx.config.raw.get("rules")
    for key, level in rules.items() if isinstance(rules, dict) else []:
        if rule_for(str(key)) is None:
            yield ctx.hit(None, f"settings.review.rules names unknown rule {key!r}")
        elif level not in ("off", *SEVERITIES):
            yield ctx.hit(None, f"settings.review.rules.{key} is {level!r}; use off, error, warning or info")
    preset = ctx.config.raw.get("naming")
    if preset is not None and preset not in NAMING_PRESETS:
        yield ctx.hit(None, f"settings.review.naming {preset!r} is not a preset ({', '.join(NAMING_PRESETS)})")


@rule(
    "DS002",
    "suppression-without-reason",
    "warning",
    summary="A suppression in settings.review.suppress has no reason (so it does not apply) or names no rule.",
    why="""A suppression is a decision; without its reason the next reviewer cannot tell a considered
    exception from a silenced problem. Suppressions without a reason are ignored.""",
)
def suppression_without_reason(ctx: Context) -> Iterator[Hit]:
    for item in ctx.config.raw.get("suppress") or []:
        if not isinstance(item, dict):
            yield ctx.hit(None, "settings.review.suppress holds something that is not an object")
            continue
        target = item.get("object")
        object_id = str(target) if target and str(target) in ctx.paths else None
        if rule_for(str(item.get("rule", ""))) is None:
            yield ctx.hit(object_id, f"suppression names unknown rule {item.get('rule')!r}")
        elif not str(item.get("reason") or "").strip():
            yield ctx.hit(object_id, f"suppression of {item.get('rule')} on {target or 'the design'} has no reason")
