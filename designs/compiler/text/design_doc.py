"""The design document a database architect hands over, as Markdown.

    from designs.compiler.text.design_doc import design_markdown
    text = design_markdown(doc, meta={"status": "draft", "version": "v1.2", "last_updated": "2024-05-01"})

Sections: front matter (status, version, last_updated, review_cycle), ERD, schema, index strategy,
table inventory (rows, average row size from the column types, total size, growth), query patterns
(frequency, target latency, index used), connection pooling, migration strategy, backup and recovery,
security (roles, grants, RLS, encryption of PII), monitoring queries and open questions.
Everything is computed from the document and ``meta``; nothing reads the clock, so the same input
always gives the same text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..capacity import human_bytes, inventory
from ..document import AccessPattern, Document, Table
from ..review.index_strategy import Recommendation, recommend_indexes, redundant_indexes, serving_index
from .mermaid import print_mermaid

PII_TAGS = frozenset({"pii", "sensitive", "secret", "phi", "pci"})


def _front_matter(doc: Document, meta: Mapping[str, Any]) -> list[str]:
    fields = {
        "title": doc.name,
        "status": meta.get("status", "draft"),
        "version": meta.get("version", f"r{meta.get('revision', 0)}"),
        "last_updated": meta.get("last_updated", "unknown"),
        "review_cycle": meta.get("review_cycle", "quarterly"),
        "target": doc.settings.target,
    }
    return ["---", *[f"{k}: {_yaml(v)}" for k, v in fields.items()], "---", ""]


def _yaml(value: Any) -> str:
    text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def _col(table: Table | None, col_id: str | None) -> str:
    col = table.column(col_id) if table is not None and col_id else None
    return col.name if col is not None else (col_id or "")


def _index_label(doc: Document, table_id: str, object_id: str, recs: list[Recommendation]) -> str:
    rec = next((r for r in recs if r.id == object_id), None)
    if rec is not None:
        return f"{rec.name} (recommended)"
    table = doc.table(table_id)
    if table is None:
        return object_id
    if object_id == "pk":
        return "primary key"
    index = next((i for i in table.indexes if i.id == object_id), None)
    if index is not None:
        return index.name or index.id
    unique = next((u for u in table.uniques if u.id == object_id), None)
    return f"unique {unique.name or unique.id}" if unique else object_id


def index_strategy_markdown(doc: Document) -> str:
    """docs/index_strategy.md: every index, existing and recommended, with the reason for it."""
    recs = recommend_indexes(doc)
    serving = serving_index(doc, recs)
    served_by: dict[tuple[str, str], list[str]] = {}
    for what, key in serving.items():
        served_by.setdefault(key, []).append(what)
    lines = [f"# Index strategy: {doc.name}", ""]
    lines += [
        "Rules: every foreign key gets an index led by its columns; every access pattern gets the index it",
        "needs (equality columns, then range, then sort; partial for constant filters; INCLUDE for index-only",
        "reads; gin for containment and trigram search). Redundant and low-cardinality indexes are flagged.",
        "",
        "## Existing indexes",
        "",
    ]
    rows = []
    for table in doc.tables:
        for index in table.indexes:
            why = [_describe_serves(doc, s) for s in sorted(served_by.get((table.id, index.id), []))]
            reason = index.comment or ""
            if why:
                reason = (reason + "; " if reason else "") + "serves " + ", ".join(why)
            keys = ", ".join(_col(table, k.column) if k.column else k.expression or "" for k in index.columns)
            rows.append([table.name, index.name or index.id, keys, index.method, reason or "declared in the design"])
    lines += _table(["Table", "Index", "Keys", "Method", "Reason"], rows) if rows else ["No indexes declared.", ""]
    lines += ["## Recommended indexes", ""]
    if recs:
        rows = []
        for r in recs:
            owner = doc.table(r.table_id)
            tname = owner.name if owner else r.table_id
            keys = ", ".join(
                (
                    (_col(owner, k.column) if k.column else k.expression or "")
                    + (" DESC" if k.order == "desc" else "")
                    + (f" {k.opclass}" if k.opclass else "")
                )
                for k in r.keys
            )
            rows.append([r.id, tname, r.name, keys, r.method, r.where or "", r.reason])
        lines += _table(["Id", "Table", "Index", "Keys", "Method", "Where", "Reason"], rows)
    else:
        lines += ["None: every foreign key and access pattern is already served.", ""]
    lines += ["## Redundant or doubtful indexes", ""]
    flags = redundant_indexes(doc)
    if flags:
        rows = [
            [
                doc.table(f.table_id).name if doc.table(f.table_id) else f.table_id,  # type: ignore[union-attr]
                _index_label(doc, f.table_id, f.index_id, []),
                f.kind,
                f.reason,
            ]
            for f in flags
        ]
        lines += _table(["Table", "Index", "Problem", "Why"], rows)
    else:
        lines += ["None found.", ""]
    lines += ["## What serves each foreign key and access pattern", ""]
    rows = [[_describe_serves(doc, what), _index_label(doc, t, o, recs)] for what, (t, o) in sorted(serving.items())]
    unserved = [p for p in doc.access_patterns if f"pattern:{p.id}" not in serving]
    rows += [
        [_describe_serves(doc, f"pattern:{p.id}"), "none (declared only as SQL; review by hand)"] for p in unserved
    ]
    lines += _table(["Need", "Served by"], rows) if rows else ["No foreign keys or access patterns.", ""]
    return "\n".join(lines).rstrip() + "\n"


def _describe_serves(doc: Document, what: str) -> str:
    kind, _, ident = what.partition(":")
    if kind == "pattern":
        pattern = next((p for p in doc.access_patterns if p.id == ident), None)
        return f"access pattern '{pattern.name}'" if pattern else what
    rel = next((r for r in doc.relationships if r.id == ident), None)
    if rel is None:
        return what
    child, parent = doc.table(rel.from_table), doc.table(rel.to_table)
    return f"FK {rel.name or rel.id} ({child.name if child else '?'} → {parent.name if parent else '?'})"


def _patterns(doc: Document, recs: list[Recommendation]) -> list[str]:
    if not doc.access_patterns:
        return [
            "No access patterns are declared yet; declare the queries the application runs so the",
            "index strategy can serve them.",
            "",
        ]
    serving = serving_index(doc, recs)
    rows = []
    for p in doc.access_patterns:
        table = doc.table(p.table)
        used = serving.get(f"pattern:{p.id}")
        rows.append(
            [
                p.name,
                table.name if table else p.table,
                f"{p.calls_per_minute:g}/min" if p.calls_per_minute is not None else "unknown",
                f"{p.target_latency_ms:g} ms" if p.target_latency_ms is not None else "not set",
                _index_label(doc, used[0], used[1], recs) if used else "none",
                _pattern_sql(doc, p),
            ]
        )
    return _table(["Pattern", "Table", "Frequency", "Target latency", "Index used", "Query"], rows)


def _pattern_sql(doc: Document, p: AccessPattern) -> str:
    if p.sql:
        return f"`{p.sql}`"
    table = doc.table(p.table)
    if table is None:
        return ""

    def n(cid: str) -> str:
        return _col(table, cid)

    conds = [f"{n(c)} = ?" for c in p.equality] + [f"{n(c)} BETWEEN ? AND ?" for c in p.range]
    conds += [f"{n(c)} @> ?" for c in p.contains] + [f"{n(c)} ILIKE ?" for c in p.text_search]
    if p.where:
        conds.append(p.where)
    cols = ", ".join(n(c) for c in p.select) or "*"
    sql = f"SELECT {cols} FROM {table.name}"  # noqa: S608 - text for the reader, never run
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    if p.order_by:
        sql += " ORDER BY " + ", ".join(f"{n(o.column)} {o.order.upper()}" for o in p.order_by)
    if p.limit:
        sql += f" LIMIT {p.limit}"
    return f"`{sql}`"


def _pooling(doc: Document) -> list[str]:
    calls = sum(p.calls_per_minute or 0 for p in doc.access_patterns)
    # Little's law: concurrent queries = arrival rate x time in system (target latency, 50 ms default).
    busy = sum((p.calls_per_minute or 0) / 60 * (p.target_latency_ms or 50) / 1000 for p in doc.access_patterns)
    prod = max(10, min(100, math.ceil(busy * 4) + 10))
    lines = [
        f"Declared load: {calls:g} queries per minute across the access patterns, about {busy:.2f} queries in",
        "flight on average (arrival rate times target latency). Pools are sized with headroom of four times that,",
        "never below what a developer needs. PostgreSQL's `max_connections` stays small; PgBouncer multiplexes.",
        "",
    ]
    lines += _table(
        ["Environment", "App pool per process", "PgBouncer default_pool_size", "max_client_conn", "max_connections"],
        [
            ["development", 5, 5, 50, 50],
            ["staging", 10, max(10, prod // 2), 200, 100],
            ["production", 20, prod, 1000, max(100, prod * 2)],
        ],
    )
    lines += [
        "```ini",
        "[pgbouncer]",
        "pool_mode = transaction",
        f"default_pool_size = {prod}",
        "reserve_pool_size = 5",
        "reserve_pool_timeout = 3",
        "max_client_conn = 1000",
        "server_idle_timeout = 600",
        "query_wait_timeout = 30",
        "```",
        "",
        "Transaction pooling means no session state across transactions: no `SET` without `LOCAL`, no",
        "advisory session locks, prepared statements only with PgBouncer ≥ 1.21 (`max_prepared_statements`).",
        "",
    ]
    return lines


MIGRATION = """Schema changes ship as Alembic revisions (the bundle's `migrations/` folder when present), one per
named version, reviewed like code and applied by CI before the application deploys.

- Expand, then contract: add nullable columns and new tables first; backfill in batches; switch the
  application; only then drop or tighten (NOT NULL, new constraints) in a later release.
- Indexes on large tables: `CREATE INDEX CONCURRENTLY` outside a transaction.
- Constraints on large tables: `ADD CONSTRAINT ... NOT VALID`, then `VALIDATE CONSTRAINT` separately.
- Set `lock_timeout = '5s'` and `statement_timeout` for migration sessions, and retry on timeout.
- Every revision has a tested downgrade; destructive steps are flagged as hazards in the review.
"""

BACKUP = """| Objective | Target |
|---|---|
| RPO (data we may lose) | {rpo} |
| RTO (time to restore) | {rto} |

Continuous WAL archiving plus a nightly base backup gives point-in-time recovery (PITR):

```sh
# postgresql.conf
wal_level = replica
archive_mode = on
archive_command = 'test ! -f /backup/wal/%f && cp %p /backup/wal/%f'
archive_timeout = 60

# nightly base backup
pg_basebackup -D /backup/base/$(date +%F) -Ft -z -X stream -c fast

# logical dump for portability and single-table restores
pg_dump -Fc -d {db} -f /backup/dump/{db}-$(date +%F).dump
pg_restore -d {db}_restore -j 4 /backup/dump/{db}-YYYY-MM-DD.dump

# point-in-time recovery: restore a base backup, then in postgresql.conf
restore_command = 'cp /backup/wal/%f %p'
recovery_target_time = '2024-01-31 12:00:00+00'
# and: touch $PGDATA/recovery.signal; start the server
```

Restores are rehearsed monthly into a scratch server; the backup is not done until a restore is timed.
"""

MONITORING = """```sql
-- slowest statements by total time (needs the pg_stat_statements extension)
SELECT calls, round(total_exec_time) AS total_ms, round(mean_exec_time, 2) AS mean_ms, query
FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 20;

-- indexes never used since the statistics were reset
SELECT schemaname, relname, indexrelname, pg_size_pretty(pg_relation_size(indexrelid)) AS size
FROM pg_stat_user_indexes WHERE idx_scan = 0 ORDER BY pg_relation_size(indexrelid) DESC;

-- tables read mostly by sequential scans: candidates for missing indexes
SELECT relname, seq_scan, seq_tup_read, idx_scan, n_live_tup
FROM pg_stat_user_tables WHERE seq_scan > coalesce(idx_scan, 0) AND n_live_tup > 10000
ORDER BY seq_tup_read DESC LIMIT 20;

-- table bloat estimate: dead tuples and the last (auto)vacuum
SELECT relname, n_live_tup, n_dead_tup,
       round(100.0 * n_dead_tup / greatest(n_live_tup + n_dead_tup, 1), 1) AS dead_pct,
       last_autovacuum, last_vacuum
FROM pg_stat_user_tables ORDER BY n_dead_tup DESC LIMIT 20;

-- cache hit ratio (should stay above 0.99)
SELECT sum(blks_hit)::float / greatest(sum(blks_hit) + sum(blks_read), 1) AS hit_ratio FROM pg_stat_database;

-- long-running and blocked queries
SELECT pid, now() - query_start AS running, wait_event_type, state, query
FROM pg_stat_activity WHERE state <> 'idle' ORDER BY running DESC;
```
"""


def _security(doc: Document) -> list[str]:
    sec = doc.security
    role_names = {r.id: r.name for r in sec.roles} | {"public": "PUBLIC"}
    lines: list[str] = []
    if sec.roles:
        lines += _table(
            ["Role", "Login", "Member of", "Purpose"],
            [
                [
                    r.name,
                    "yes" if r.login else "no",
                    ", ".join(role_names.get(i, i) for i in r.inherits),
                    r.comment or "",
                ]
                for r in sec.roles
            ],
        )
    else:
        lines += [
            "No roles are declared. Recommended: an owner role for migrations, an application role with",
            "DML only, and a read-only role for reporting; no application connects as a superuser.",
            "",
        ]
    if sec.grants:
        rows = []
        for g in sec.grants:
            tables = [t.name for t in doc.tables if t.id in g.tables] or ["every table"]
            rows.append([role_names.get(g.role, g.role), ", ".join(p.upper() for p in g.privileges), ", ".join(tables)])
        lines += _table(["Role", "Privileges", "On"], rows)
    rls = [t.name for t in doc.tables if t.rls.enabled]
    lines += [f"Row-level security is enabled on: {', '.join(rls)}." if rls else "Row-level security is not used.", ""]
    if sec.policies:
        lines += _table(
            ["Policy", "Table", "Command", "Using", "With check"],
            [
                [
                    p.name,
                    doc.table(p.table).name if doc.table(p.table) else p.table,  # type: ignore[union-attr]
                    p.command,
                    p.using or "",
                    p.with_check or "",
                ]
                for p in sec.policies
            ],
        )
    pii = [
        (t.name, c.name, ", ".join(sorted(set(c.tags) & PII_TAGS)))
        for t in doc.tables
        for c in t.columns
        if set(c.tags) & PII_TAGS
    ]
    if pii:
        lines += ["Columns tagged as personal or sensitive data, and how they are protected:", ""]
        lines += _table(["Table", "Column", "Tags"], [list(x) for x in pii])
        lines += [
            "Encrypt them at rest beyond disk encryption where the threat model needs it: application-side",
            "envelope encryption, or `pgcrypto` (`pgp_sym_encrypt(value, key)`) with the key outside the",
            "database. Keep them out of logs (`log_statement = 'ddl'`), restrict them with column grants,",
            "and mask them in non-production copies.",
            "",
        ]
    else:
        lines += ["No columns are tagged `pii`; tag personal data so it can be encrypted, masked and audited.", ""]
    lines += [
        "All connections use TLS (`hostssl` in pg_hba.conf, `sslmode=verify-full` in clients); passwords",
        "use SCRAM-SHA-256.",
        "",
    ]
    return lines


def _open_questions(doc: Document, recs: list[Recommendation]) -> list[str]:
    qs = []
    no_rows = [t.name for t in doc.tables if t.estimated_rows is None]
    if no_rows:
        qs.append(f"How many rows will these tables hold: {', '.join(no_rows)}?")
    no_desc = [t.name for t in doc.tables if not (t.comment or "").strip()]
    if no_desc:
        qs.append(f"What do these tables hold (no description yet): {', '.join(no_desc)}?")
    if not doc.access_patterns:
        qs.append("Which queries will the application run, how often, and how fast must they be?")
    no_latency = [p.name for p in doc.access_patterns if p.target_latency_ms is None]
    if no_latency:
        qs.append(f"What latency must these patterns meet: {', '.join(no_latency)}?")
    if recs:
        qs.append(f"Accept the {len(recs)} recommended index(es) in the index strategy?")
    if not any(set(c.tags) & PII_TAGS for t in doc.tables for c in t.columns):
        qs.append("Which columns hold personal data (tag them `pii`)?")
    qs.append("Are the RPO/RTO targets above agreed with the service owner?")
    return [f"{n}. {q}" for n, q in enumerate(qs, start=1)] + [""]


def design_markdown(doc: Document, meta: Mapping[str, Any] | None = None) -> str:
    """The full design document (Markdown with YAML front matter)."""
    meta = meta or {}
    recs = recommend_indexes(doc)
    lines = _front_matter(doc, meta)
    lines += [f"# {doc.name}", "", doc.description or "", ""]
    lines += [
        "## Entity-relationship diagram",
        "",
        "![ERD](erd.svg)",
        "",
        "```mermaid",
        print_mermaid(doc, details=False).rstrip(),
        "```",
        "",
        "Plain Mermaid, for reading; `design.mmd` is the same diagram with the `%% @dbstudio` lines that",
        "carry everything else, and imports back into DB Studio exactly.",
        "",
    ]
    lines += [
        "## Schema",
        "",
        f"{len(doc.tables)} tables, {len(doc.relationships)} relationships, {len(doc.enums)} enums. The DDL",
        "for each engine is in `schema/` (PostgreSQL, MySQL/MariaDB, SQLite) with the warnings of each;",
        "the column-by-column reference is the data dictionary (`docs/data_dictionary.md`).",
        "",
    ]
    lines += _table(
        ["Table", "Columns", "Primary key", "Description"],
        [
            [
                t.name,
                len(t.columns),
                ", ".join(c.name for c in t.columns if t.primary_key and c.id in t.primary_key.columns) or "none",
                t.comment or "",
            ]
            for t in doc.tables
        ],
    )
    lines += [
        "## Index strategy",
        "",
        f"{len(recs)} index(es) recommended; the full reasoning is in `docs/index_strategy.md`.",
        "",
    ]
    if recs:
        lines += _table(["Index", "Reason"], [[r.name, r.reason] for r in recs])
    lines += [
        "## Table inventory",
        "",
        "Average row size is computed from the column types (PostgreSQL storage: 24-byte tuple header,",
        "fixed widths, variable-length values assumed half their declared length); total size adds the",
        "indexes. Growth is per month from the design's estimates.",
        "",
    ]
    rows = []
    for est in inventory(doc):
        rows.append(
            [
                est.table,
                f"{est.rows:,}" if est.rows is not None else "unknown",
                f"{est.row_bytes} B",
                human_bytes(est.table_bytes),
                human_bytes(est.index_bytes),
                human_bytes(est.total_bytes),
                f"{est.growth_rows_per_month:,} rows ({human_bytes(est.growth_bytes_per_month)})/month"
                if est.growth_rows_per_month is not None
                else "unknown",
            ]
        )
    lines += _table(["Table", "Estimated rows", "Avg row", "Table size", "Index size", "Total", "Growth"], rows)
    total = sum(e.total_bytes or 0 for e in inventory(doc))
    lines += [f"Estimated total: {human_bytes(total)}.", ""]
    lines += ["## Query patterns", "", *_patterns(doc, recs)]
    lines += ["## Connection pooling", "", *_pooling(doc)]
    lines += ["## Migration strategy", "", MIGRATION]
    db = "app"
    lines += [
        "## Backup and recovery",
        "",
        BACKUP.format(rpo=meta.get("rpo", "5 minutes"), rto=meta.get("rto", "1 hour"), db=db),
    ]
    lines += ["## Security", "", *_security(doc)]
    lines += ["## Monitoring", "", MONITORING]
    lines += ["## Open questions", "", *_open_questions(doc, recs)]
    return "\n".join(lines).rstrip() + "\n"
