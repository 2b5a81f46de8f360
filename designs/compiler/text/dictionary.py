"""The data dictionary, as Markdown and as a standalone HTML page.

    from designs.compiler.text.dictionary import dictionary_markdown, dictionary_html
    md = dictionary_markdown(doc); page = dictionary_html(doc)

Per table: its description, columns (type, nullable, default, description, tags such as PII), indexes,
foreign keys with their actions, constraints and a sample INSERT; at the top, comment coverage (how
many tables and columns are described). Both renderings come from one list of sections, so they say
the same thing; in HTML every piece of design text is escaped.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field

from ..document import Column, Document, Relationship, Table
from .mermaid import type_text

ACTIONS = {
    "no_action": "NO ACTION",
    "restrict": "RESTRICT",
    "cascade": "CASCADE",
    "set_null": "SET NULL",
    "set_default": "SET DEFAULT",
}


@dataclass
class Grid:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    """One table's entry: a title, a paragraph, grids and a code block."""

    anchor: str
    title: str
    text: str
    grids: list[tuple[str, Grid]] = field(default_factory=list)
    code: str = ""


def _col_name(table: Table, col_id: str) -> str:
    col = table.column(col_id)
    return col.name if col else col_id


def _default(column: Column) -> str:
    if column.identity is not None:
        return "identity (always)" if column.identity.always else "identity"
    if column.generated is not None:
        return f"generated: {column.generated.expression}"
    if column.default is None:
        return ""
    value = column.default.value
    if column.default.kind == "expression":
        return str(value)
    return json.dumps(value) if not isinstance(value, str) else f"'{value}'"


def _sample_literal(doc: Document, column: Column, n: int) -> str:
    """A plausible SQL literal for ``column`` (its ``example`` when the design gives one)."""
    if column.example is not None:
        text = column.example
    else:
        name = column.type.name
        enum = doc.enum(column.type.enum or "") if name == "enum" else None
        samples = {
            "boolean": "true",
            "date": "2024-01-31",
            "time": "12:00:00",
            "timetz": "12:00:00+00",
            "timestamp": "2024-01-31 12:00:00",
            "timestamptz": "2024-01-31 12:00:00+00",
            "interval": "1 day",
            "uuid": "00000000-0000-4000-8000-000000000001",
            "json": '{"key": "value"}',
            "jsonb": '{"key": "value"}',
            "inet": "192.0.2.1",
            "cidr": "192.0.2.0/24",
            "macaddr": "08:00:2b:01:02:03",
            "year": "2024",
        }
        if enum is not None:
            text = enum.values[0]
        elif name in ("smallint", "integer", "bigint", "smallserial", "serial", "bigserial", "year"):
            return str(n)
        elif name in ("numeric", "real", "double", "money"):
            return "10.50"
        elif name == "boolean":
            return "true"
        elif name in samples:
            text = samples[name]
        else:
            text = f"sample {column.name}"
            if column.type.length is not None:
                text = text[: column.type.length]
    if column.type.array:
        return "ARRAY[" + _quote(text) + "]"
    return _quote(text)


def _quote(text: str) -> str:
    if text.lstrip("-").replace(".", "", 1).isdigit() or text in ("true", "false", "NULL"):
        return text
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    plain = name.isidentifier() and name.lower() == name and name.isascii()
    return name if plain else '"' + name.replace('"', '""') + '"'


def sample_insert(doc: Document, table: Table) -> str:
    """An INSERT of one plausible row; identity and generated columns are left to the database."""
    cols = [c for c in table.columns if c.identity is None and c.generated is None]
    if not cols:
        return f"INSERT INTO {_ident(table.name)} DEFAULT VALUES;"
    names = ", ".join(_ident(c.name) for c in cols)
    values = ", ".join(_sample_literal(doc, c, 1) for c in cols)
    return f"INSERT INTO {_ident(table.name)} ({names})\nVALUES ({values});"


def coverage(doc: Document) -> tuple[int, int, int, int]:
    """(tables described, tables, columns described, columns)."""
    tables = len(doc.tables)
    tables_done = sum(1 for t in doc.tables if (t.comment or "").strip())
    columns = sum(len(t.columns) for t in doc.tables)
    columns_done = sum(1 for t in doc.tables for c in t.columns if (c.comment or "").strip())
    return tables_done, tables, columns_done, columns


def _pct(done: int, total: int) -> str:
    return f"{(100 * done // total) if total else 100}%"


def _fk_rows(doc: Document, table: Table) -> list[list[str]]:
    rows = []
    rels: list[Relationship] = [r for r in doc.relationships if r.from_table == table.id]
    for rel in rels:
        target = doc.table(rel.to_table)
        tname = target.name if target else rel.to_table
        rows.append(
            [
                rel.name or rel.id,
                ", ".join(_col_name(table, c) for c in rel.from_columns),
                f"{tname}({', '.join(_col_name(target, c) if target else c for c in rel.to_columns)})",
                ACTIONS[rel.on_delete],
                ACTIONS[rel.on_update],
            ]
        )
    return rows


def sections(doc: Document) -> list[Section]:
    """The dictionary's content, one section per table."""
    out = []
    for table in doc.tables:
        pk = set(table.primary_key.columns) if table.primary_key else set()
        fk_cols = {c for r in doc.relationships if r.from_table == table.id for c in r.from_columns}
        col_rows = []
        for c in table.columns:
            keys = [k for k, on in (("PK", c.id in pk), ("FK", c.id in fk_cols)) if on]
            col_rows.append(
                [
                    c.name,
                    type_text(c.type, doc),
                    "yes" if c.nullable else "no",
                    _default(c),
                    c.comment or "",
                    ", ".join([*keys, *(t.upper() if t == "pii" else t for t in c.tags)]),
                ]
            )
        grids = [("Columns", Grid(["Column", "Type", "Nullable", "Default", "Description", "Tags"], col_rows))]
        idx_rows = [
            [
                i.name or i.id,
                ", ".join(_col_name(table, k.column) if k.column else (k.expression or "") for k in i.columns)
                + (f" INCLUDE ({', '.join(_col_name(table, c) for c in i.include)})" if i.include else ""),
                i.method + (" unique" if i.unique else ""),
                i.where or "",
                i.comment or "",
            ]
            for i in table.indexes
        ]
        if idx_rows:
            grids.append(("Indexes", Grid(["Index", "Keys", "Method", "Where", "Description"], idx_rows)))
        fks = _fk_rows(doc, table)
        if fks:
            grids.append(("Foreign keys", Grid(["Name", "Columns", "References", "On delete", "On update"], fks)))
        cons = []
        if table.primary_key:
            cons.append(["primary key", table.primary_key.name or "", ", ".join(_col_name(table, c) for c in pk)])
        cons += [["unique", u.name or u.id, ", ".join(_col_name(table, c) for c in u.columns)] for u in table.uniques]
        cons += [["check", k.name or k.id, k.expression] for k in table.checks]
        if cons:
            grids.append(("Constraints", Grid(["Kind", "Name", "Definition"], cons)))
        facts = []
        if table.estimated_rows is not None:
            facts.append(f"Estimated rows: {table.estimated_rows:,}.")
        if table.tags:
            facts.append("Tags: " + ", ".join(table.tags) + ".")
        text = " ".join([table.comment or "*No description yet.*", *facts])
        out.append(Section(f"table-{table.id}", table.name, text, grids, sample_insert(doc, table)))
    return out


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def dictionary_markdown(doc: Document) -> str:
    """The data dictionary as Markdown."""
    td, tt, cd, ct = coverage(doc)
    lines = [
        f"# Data dictionary: {doc.name}",
        "",
        doc.description or "",
        "",
        f"Comment coverage: {td} of {tt} tables ({_pct(td, tt)}) and {cd} of {ct} columns ({_pct(cd, ct)})"
        " have a description.",
        "",
        "## Tables",
        "",
        *[f"- [{s.title}](#{s.anchor})" for s in sections(doc)],
        "",
    ]
    for s in sections(doc):
        lines += [f'<a id="{s.anchor}"></a>', "", f"## {s.title}", "", s.text, ""]
        for title, grid in s.grids:
            lines += [f"### {title}", "", "| " + " | ".join(grid.headers) + " |"]
            lines.append("|" + "---|" * len(grid.headers))
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in grid.rows]
            lines.append("")
        lines += ["### Sample row", "", "```sql", s.code, "```", ""]
    return "\n".join(lines).rstrip() + "\n"


STYLE = """
body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}th,td{border:1px solid #d0d7de;padding:4px 8px;
text-align:left;vertical-align:top}th{background:#f6f8fa}pre{background:#f6f8fa;padding:.75rem;overflow:auto}
h2{border-top:1px solid #d0d7de;padding-top:1rem}
""".strip()


def dictionary_html(doc: Document) -> str:
    """The data dictionary as one self-contained HTML page (no scripts, everything escaped)."""
    e = html.escape
    td, tt, cd, ct = coverage(doc)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Data dictionary: {e(doc.name)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Data dictionary: {e(doc.name)}</h1>",
    ]
    if doc.description:
        parts.append(f"<p>{e(doc.description)}</p>")
    parts.append(
        f"<p>Comment coverage: {td} of {tt} tables ({_pct(td, tt)}) and {cd} of {ct} columns "
        f"({_pct(cd, ct)}) have a description.</p>"
    )
    secs = sections(doc)
    parts.append("<ul>" + "".join(f'<li><a href="#{e(s.anchor)}">{e(s.title)}</a></li>' for s in secs) + "</ul>")
    for s in secs:
        text = s.text.replace("*No description yet.*", "No description yet.")
        parts += [f'<section id="{e(s.anchor)}"><h2>{e(s.title)}</h2>', f"<p>{e(text)}</p>"]
        for title, grid in s.grids:
            head = "".join(f"<th>{e(h)}</th>" for h in grid.headers)
            body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in grid.rows)
            parts.append(f"<h3>{e(title)}</h3><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        parts.append(f"<h3>Sample row</h3><pre><code>{e(s.code)}</code></pre></section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
