"""Design document → Mermaid ``erDiagram`` text, losslessly.

Mermaid states what it can (entities, attribute types and names, PK/FK/UK, comments, crow's-foot
cardinalities, identifying lines, labels); the rest rides in ``%% @dbstudio <kind> {json}``
comment lines, which Mermaid ignores (syntax in docs/mermaid.md). A directive holds only what
differs from what the Mermaid line already implies, computed with the parser's own ``implied_*``
functions, so ``parse_mermaid(print_mermaid(doc))`` gives the document back exactly.

Names Mermaid cannot write (quotes, ``%``, control characters, ...) are shown sanitized and kept
exactly in the directive.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..document import Column, ColumnType, Document, Model, Relationship, Table
from ..parse.mermaid import (
    DEFAULT_NAME,
    DESIGN_KEYS,
    DIRECTIVE,
    Context,
    Link,
    implied_column,
    implied_relationship,
    implied_table,
    table_name,
    table_slug,
)

INDENT = "    "
LEFT = {"exactly_one": "||", "zero_or_one": "|o", "zero_or_many": "}o", "one_or_many": "}|"}
RIGHT = {"exactly_one": "||", "zero_or_one": "o|", "zero_or_many": "o{", "one_or_many": "|{"}
_MERMAID_CARD = {"||": "ONLY_ONE", "|o": "ZERO_OR_ONE", "o|": "ZERO_OR_ONE", "}o": "ZERO_OR_MORE",
                 "o{": "ZERO_OR_MORE", "}|": "ONE_OR_MORE", "|{": "ONE_OR_MORE"}

# Words Mermaid's lexer reads as keywords (case-insensitively) at the start of a name.
RESERVED = {
    "erdiagram", "style", "classdef", "class", "subgraph", "end", "one", "only", "zero", "many", "to", "optionally",
    "direction", "acctitle", "accdescr", "title", "u", "o",
}
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*")
_PLAIN_LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ATTRIBUTE_WORD = re.compile(r"[*A-Za-z_\u00C0-\U0010FFFF][A-Za-z0-9\-_\[\]().,\u00C0-\U0010FFFF*]*")
_KEY_START = re.compile(r"(?:pk|fk|uk)(?![A-Za-z0-9_])", re.IGNORECASE)
# Mermaid reads any line holding "direction TB" (etc.) as a direction statement.
_DIRECTION = re.compile(r"direction[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+(?:TB|BT|RL|LR)",
                        re.IGNORECASE)


def print_mermaid(doc: Document, details: bool = True) -> str:
    """The document as Mermaid ``erDiagram`` text that ``parse_mermaid`` reads back to the same document.

    Without ``details`` the directive lines are left out: plain Mermaid, which reads back exactly only
    against the document it came from (``mermaid_plain.parse_against``).
    """
    ctx = Context(target=doc.settings.target, enums={e.name: e.id for e in doc.enums})
    lines: list[str] = []
    title, description, design = design_text(doc)
    if title is not None:
        lines += ["---", f"title: {json.dumps(title, ensure_ascii=False)}", "---"]
    lines.append("erDiagram")
    if description is not None:
        lines.append(f"{INDENT}accDescr: {description}")
    if design and details:
        lines.append(_directive("design", design))
    lines += [_directive("enum", _dump(e)) for e in doc.enums] if details else []
    labels = _labels(doc)
    for table in doc.tables:
        lines += _entity(doc, table, labels[table.id], ctx, details)
    for rel in doc.relationships:
        lines += _relationship(rel, doc, labels, details)
    if not details:
        return "\n".join(lines) + "\n"
    lines += [_directive("note", _dump(n)) for n in doc.notes]
    lines += [_directive("area", _dump(a)) for a in doc.areas]
    lines += [_directive("access_pattern", _dump(p)) for p in doc.access_patterns]
    lines += [_directive("role", _dump(r)) for r in doc.security.roles]
    lines += [_directive("grant", _dump(g)) for g in doc.security.grants]
    lines += [_directive("policy", _dump(p)) for p in doc.security.policies]
    return "\n".join(lines) + "\n"


def design_text(doc: Document) -> tuple[str | None, str | None, dict[str, Any]]:
    """The front-matter title and ``accDescr`` the printer writes, and the design directive for the rest."""
    # The parser reads a YAML null title as no title, so such names stay in the design directive.
    title = doc.name if doc.name not in (DEFAULT_NAME, "null", "~") and doc.name.isprintable() else None
    description = doc.description if _one_line(doc.description) and '"' not in (doc.description or "") else None
    implied = Document.model_validate({"name": title or DEFAULT_NAME, "description": description})
    return title, description, _diff(doc, implied, DESIGN_KEYS)


# -- directives --------------------------------------------------------------------------------


def _dump(model: Model) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def _diff(
    actual: Model, implied: Model, keys: tuple[str, ...] | None = None, force: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The fields of ``actual`` that ``implied`` gets wrong, in their shortest exact form."""
    full, minimal, guess = (actual.model_dump(mode="json", by_alias=True), _dump(actual),
                            implied.model_dump(mode="json", by_alias=True))
    return {
        key: minimal.get(key, value) for key, value in full.items()
        if (keys is None or key in keys) and (key in force or guess.get(key) != value)
    }


def _directive(kind: str, data: dict[str, Any], indent: str = INDENT) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Escape what could confuse a reader of the line: control and invisible characters (they would
    # break the line or hide), and '="', which Mermaid's HTML-attribute clean-up rewrites.
    text = "".join(ch if ch.isprintable() or ch == " " else json.dumps(ch)[1:-1] for ch in text)
    # Mermaid strips "%%{...}%%" configuration directives even inside comments: escape their start.
    text = text.replace('="', "\\u003d\"").replace("%%{", "%%\\u007b")
    return f"{indent}%% {DIRECTIVE} {kind} {text}"


# -- names and words ---------------------------------------------------------------------------


def _one_line(text: str | None) -> bool:
    return (text is not None and text != "" and text == text.strip() and text.isprintable()
            and not text.endswith("=") and "%%" not in text)


def _quotable(text: str, forbidden: str = '"') -> bool:
    return (text.isprintable() and not any(ch in text for ch in forbidden) and not text.endswith("=")
            and "%%" not in text and not _DIRECTION.search(text))


def _reserved(text: str) -> bool:
    return text.lower() in RESERVED or text.split("-")[0].lower() in RESERVED


def entity_token(name: str) -> str | None:
    """``name`` as a Mermaid entity name: bare when plain, else quoted; None when Mermaid cannot say it."""
    if _PLAIN_NAME.fullmatch(name) and not _reserved(name):
        return name
    return f'"{name}"' if _quotable(name, '"%\\') else None


def label_token(label: str) -> str | None:
    if _PLAIN_LABEL.fullmatch(label) and not _reserved(label):
        return label
    return f'"{label}"' if _quotable(label) else None


def word_token(word: str) -> str | None:
    """An attribute type or name: bare when Mermaid's word pattern takes it, else in backticks."""
    if _ATTRIBUTE_WORD.fullmatch(word) and word.isprintable() and not _KEY_START.match(word):
        return word
    if word and word.isprintable() and not any(ch in word for ch in '`"~') and "%%" not in word:
        return f"`{word}`"
    return None


def _sanitized(text: str, bad: str) -> str:
    out = "".join(ch if ch.isprintable() and ch not in bad else "_" for ch in text).rstrip("=").replace("%%", "%_")
    out = _DIRECTION.sub(lambda m: re.sub(r"\s", "_", m.group(0)), out)
    return out or "_"


def _labels(doc: Document) -> dict[str, str]:
    """The Mermaid entity name of every table: ``schema.name`` or ``name``, unique, writable."""
    labels: dict[str, str] = {}
    used: set[str] = set()
    for table in doc.tables:
        natural = f"{table.schema_}.{table.name}" if table.schema_ else table.name
        directive = {"schema": table.schema_} if table.schema_ else {}
        token = entity_token(natural)
        if token is None or natural in used or table_name(natural, directive) != (table.name, table.schema_):
            base = _sanitized(natural, '"%\\`~')
            natural, n = base, 1
            while natural in used or entity_token(natural) is None:
                n += 1
                natural = f"{base}_{n}"
        labels[table.id] = natural
        used.add(natural)
    return labels


# -- entities and relationships ----------------------------------------------------------------


def type_text(ctype: ColumnType, doc: Document) -> str:
    """How a column type reads in Mermaid; what this cannot carry goes into the column directive."""
    if ctype.name == "enum":
        enum = doc.enum(ctype.enum or "")
        text = enum.name if enum else "enum"
    elif ctype.name == "raw":
        raw = ctype.raw or {}
        text = raw.get(doc.settings.target) or next(iter(raw.values()), "raw")
    else:
        params = [ctype.length] if ctype.length is not None else [ctype.precision, ctype.scale]
        args = ",".join(str(p) for p in params if p is not None)
        text = f"{ctype.name}({args})" if args else ctype.name
    return text + "[]" * ctype.array


def _keys(doc: Document, table: Table, column: Column) -> list[str]:
    keys = []
    if table.primary_key and column.id in table.primary_key.columns:
        keys.append("PK")
    if any(r.from_table == table.id and column.id in r.from_columns for r in doc.relationships):
        keys.append("FK")
    if any(u.columns == [column.id] for u in table.uniques):
        keys.append("UK")
    return keys


@dataclass
class AttributeText:
    """One attribute line as printed: its words, and the directive that makes it exact."""

    type_token: str
    name_token: str
    keys: list[str]
    comment: str | None
    directive: dict[str, Any]


@dataclass
class EntityText:
    """One entity block as printed."""

    label: str
    directive: dict[str, Any]
    attributes: list[AttributeText]


def entity_text(doc: Document, table: Table, label: str, ctx: Context) -> EntityText:
    """What the printer writes for ``table``: the words Mermaid states and the directives for the rest."""
    tslug = table_slug(table.name, table.schema_)
    attributes: list[AttributeText] = []
    for column in table.columns:
        keys = _keys(doc, table, column)
        shown_type = type_text(column.type, doc)
        ctype = word_token(shown_type) or word_token(_sanitized(shown_type, '`"~'))
        name = word_token(column.name) or word_token(_sanitized(column.name, '`"~'))
        assert ctype is not None and name is not None
        comment = column.comment if column.comment and _quotable(column.comment, '"~') else None
        implied = Column.model_validate(implied_column(_unquote(ctype), _unquote(name), keys, comment, tslug, ctx))
        attributes.append(AttributeText(ctype, name, keys, comment, _diff(column, implied, force=("id",))))
    all_keys = [a.keys for a in attributes]
    implied_data = implied_table(table.name, table.schema_, table.columns, all_keys) | {"columns": table.columns}
    extra = _diff(table, Table.model_validate(implied_data), force=("id",))
    for key in ("columns", "name", "schema"):
        extra.pop(key, None)
    schema = {"schema": table.schema_} if table.schema_ else {}
    if table_name(label, schema) != (table.name, table.schema_):
        extra = {"name": table.name} | schema | extra
    else:
        extra = schema | extra
    return EntityText(label, extra, attributes)


def _entity(doc: Document, table: Table, label: str, ctx: Context, details: bool) -> list[str]:
    token = entity_token(label)
    assert token is not None
    shown = entity_text(doc, table, label, ctx)
    lines = [f"{INDENT}{token} {{"]
    if details:
        lines.append(_directive("table", shown.directive, INDENT * 2))
    for attr in shown.attributes:
        parts = [attr.type_token, attr.name_token] + ([", ".join(attr.keys)] if attr.keys else [])
        lines.append(INDENT * 2 + " ".join(parts + ([f'"{attr.comment}"'] if attr.comment else [])))
        if details:
            lines.append(_directive("column", attr.directive, INDENT * 2))
    return [*lines, f"{INDENT}}}"]


def _unquote(token: str) -> str:
    return token[1:-1] if token.startswith("`") else token


@dataclass
class LinkText:
    """One relationship line as printed (parent on the left), and its directive."""

    parent: str
    left: str
    identifying: bool
    right: str
    child: str
    label: str  # as shown: a bare word or a quoted string
    directive: dict[str, Any]


def link_text(rel: Relationship, doc: Document, labels: dict[str, str]) -> LinkText:
    parent, child = labels[rel.to_table], labels[rel.from_table]
    left, right = LEFT[rel.to_cardinality], RIGHT[rel.from_cardinality]
    # No label and an empty label both print as ""; the directive tells them apart.
    shown = '""' if rel.label is None else label_token(rel.label) or f'"{_sanitized(rel.label, chr(34))}"'
    link = Link(parent, _MERMAID_CARD[left], rel.identifying, _MERMAID_CARD[right], child,
                shown[1:-1] if shown.startswith('"') else shown, 0)
    tables = {labels[t.id]: t for t in doc.tables}
    implied = Relationship.model_validate(implied_relationship(link, tables, plain=False))
    return LinkText(parent, left, rel.identifying, right, child, shown, _diff(rel, implied, force=("id",)))


def _relationship(rel: Relationship, doc: Document, labels: dict[str, str], details: bool) -> list[str]:
    shown = link_text(rel, doc, labels)
    line = "--" if shown.identifying else ".."
    parent, child = entity_token(shown.parent), entity_token(shown.child)
    text = f"{INDENT}{parent} {shown.left}{line}{shown.right} {child} : {shown.label}"
    return [text, _directive("relationship", shown.directive)] if details else [text]
