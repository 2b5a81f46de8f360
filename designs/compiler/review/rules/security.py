"""Security: personal data, row-level security and secrets."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..framework import Context, Data, Edit, Fix, Hit, find_column, find_table, rule

PII_TAGS = frozenset({"pii", "personal", "sensitive", "phi", "gdpr"})
PROTECTED_TAGS = frozenset({"encrypted", "hashed", "masked", "pseudonymized", "tokenized"})


@rule(
    "DS601",
    "pii-unprotected",
    "warning",
    summary="A column tagged as personal data is neither encrypted nor behind row-level security.",
    why="""Personal data readable by every role that can read the table is how breaches and GDPR
    incidents happen. Encrypt the column (tag it "encrypted" when the application does), or enable
    row-level security with policies, or restrict it with a column grant.""",
    fixable=True,
)
def pii_unprotected(ctx: Context) -> Iterator[Hit]:
    granted = {c for g in ctx.doc.security.grants for c in g.columns}
    for table in ctx.doc.tables:
        if table.rls.enabled:
            continue
        for column in table.columns:
            tags = set(column.tags)
            if tags & PII_TAGS and not tags & PROTECTED_TAGS and column.id not in granted:
                fix = (
                    Fix(f"enable row-level security on {table.name}", _enable_rls(table.id))
                    if ctx.target == "postgresql"
                    else None
                )
                yield ctx.hit(column.id, f"{table.name}.{column.name} is personal data with no encryption or RLS", fix)


def _enable_rls(table_id: str) -> Edit:
    def edit(data: Data) -> None:
        find_table(data, table_id).setdefault("rls", {})["enabled"] = True

    return edit


@rule(
    "DS602",
    "rls-without-policy",
    "warning",
    summary="Row-level security is enabled on a table with no policy.",
    why="""With RLS on and no policy, every role except the owner (and superusers) sees no rows and can
    write none: the application silently reads empty results. Add the policies that say who sees what.""",
    dialects=("postgresql",),
)
def rls_without_policy(ctx: Context) -> Iterator[Hit]:
    with_policy = {p.table for p in ctx.doc.security.policies}
    for table in ctx.doc.tables:
        if table.rls.enabled and table.id not in with_policy:
            yield ctx.hit(table.id, f"table {table.name} has row-level security but no policy")


PASSWORD = re.compile(r"^(password|passwd|pwd|pass|user_password|secret|api_key|apikey|token|access_token)$")


@rule(
    "DS603",
    "plaintext-secret",
    "warning",
    summary="A column named like a password or secret, not marked as hashed or encrypted.",
    why="""Passwords must be stored only as a slow salted hash (argon2, bcrypt) and API secrets hashed
    or encrypted; a column called password invites storing the plain value. Name it for what it holds
    (password_hash) so the intent is unmistakable.""",
    fixable=True,
)
def plaintext_secret(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        taken = {c.name.lower() for c in table.columns}
        for column in table.columns:
            if PASSWORD.match(column.name.lower()) and not set(column.tags) & PROTECTED_TAGS:
                new = f"{column.name}_hash"
                fix = None if new.lower() in taken else Fix(f"rename to {new}", _rename(column.id, new))
                yield ctx.hit(column.id, f"{table.name}.{column.name} looks like a plaintext secret", fix)


def _rename(column_id: str, name: str) -> Edit:
    def edit(data: Data) -> None:
        find_column(data, column_id)["name"] = name

    return edit
