"""Safe Python source from arbitrary design names: identifiers, string literals and a small layout.

The model exporters (``sqlalchemy_models.py``, ``django_models.py``) never paste a design name into
Python source. A database name travels as a string literal written by ``literal()`` (``ascii()``
quoting, so quotes, backslashes, newlines and look-alike Unicode are all escaped), and the Python
side uses identifiers derived by ``Identifiers``: ASCII, snake or Pascal case, no keywords, no
clashes, at most ``MAX_IDENTIFIER`` characters. Long calls and strings are laid out by ``render``
so the generated files stay within the project's 120-column lines.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import keyword
import re
import tokenize
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..ddl.base import DdlWarning
from ..document import Document, Relationship, Table

WIDTH = 120
INDENT = "    "
MAX_IDENTIFIER = 32
_HASH = 6
_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# text() reads ``:word`` as a bind parameter; ``\:`` is its escape (``::`` casts are left alone).
_BIND = re.compile(r"(?<![:\w\\]):(?=\w)")


@dataclass
class Emitted:
    """Generated source text plus what the target cannot express, each warning naming a design object."""

    text: str
    warnings: list[DdlWarning] = field(default_factory=list)

    def warn(self, object_id: str, message: str) -> None:
        warning = DdlWarning(object_id, message)
        if warning not in self.warnings:
            self.warnings.append(warning)


def literal(value: str | int | float | bool | None) -> str:
    """A Python literal for ``value``; strings are ASCII-only, so no character can hide or mislead."""
    if isinstance(value, str):
        return ascii(value)
    return repr(value)


def escape_text_binds(sql: str) -> str:
    """SQL for ``sqlalchemy.text()``: escape every ``:name`` so text() keeps it as written."""
    return _BIND.sub(r"\\:", sql)


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:_HASH]


def words(name: str) -> tuple[list[str], bool]:
    """The ASCII words of a name and whether anything was lost on the way (non-Latin letters, ...)."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    lossy = any(not ch.isascii() for ch in ascii_text)
    parts: list[str] = []
    for chunk in _WORD.findall(ascii_text.encode("ascii", "ignore").decode()):
        parts.extend(p for p in _CAMEL.split(chunk) if p)
    return parts, lossy


def _fit(stem: str, name: str, lossy: bool) -> str:
    """Cut to MAX_IDENTIFIER; a cut or lossy name gets a hash of the original, so two never merge."""
    if lossy or len(stem) > MAX_IDENTIFIER:
        stem = stem[: MAX_IDENTIFIER - _HASH - 1].rstrip("_")
        return f"{stem}_{_digest(name)}" if stem else f"x{_digest(name)}"
    return stem


def snake(name: str, fallback: str = "field") -> str:
    """``"Display Name"`` → ``display_name``; empty or digit-first results get ``fallback`` in front."""
    parts, lossy = words(name)
    stem = "_".join(p.lower() for p in parts) or fallback
    if stem[0].isdigit():
        stem = f"{fallback}_{stem}"
    return _fit(stem, name, lossy)


def pascal(name: str, fallback: str = "Model") -> str:
    """``"order_items"`` → ``OrderItems``; digit-first results get ``fallback`` in front."""
    parts, lossy = words(name)
    stem = "".join(p[:1].upper() + p[1:].lower() for p in parts) or fallback
    if stem[0].isdigit():
        stem = f"{fallback}{stem}"
    return _fit(stem, name, lossy)


PYTHON_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {"self", "cls"}


class Identifiers:
    """Unique identifiers in one namespace (a module's classes, or one class's attributes).

    ``reserved`` names are never handed out (keywords, imported names, framework attributes). A taken
    name gets ``suffix`` (``_`` for SQLAlchemy, PEP 8's way around keywords) and then a number.
    """

    def __init__(self, reserved: Iterable[str] = (), suffix: str = "_", numbered: str = "_{n}"):
        self.taken = {name.lower() for name in reserved} | PYTHON_RESERVED
        self.suffix = suffix
        self.numbered = numbered

    def claim(self, stem: str) -> str:
        """``stem`` or the first free variant of it, now taken."""
        candidate = stem
        if candidate.lower() in self.taken:
            candidate = f"{stem}{self.suffix}"
        n = 2
        while candidate.lower() in self.taken:
            candidate = f"{stem}{self.numbered.format(n=n)}"
            n += 1
        self.taken.add(candidate.lower())
        return candidate

    def reserve(self, name: str) -> None:
        self.taken.add(name.lower())


BUILTIN_NAMES = frozenset(dir(builtins))


# ---- layout -------------------------------------------------------------------------------------


class Code:
    """A piece of Python expression source that ``render`` can lay out on one line or several."""

    def flat(self) -> str:
        raise NotImplementedError

    def broken(self, indent: int) -> str:
        return self.flat()


@dataclass
class Raw(Code):
    """Source written by the exporter itself (never a design name)."""

    text: str

    def flat(self) -> str:
        return self.text


@dataclass
class Str(Code):
    """A string literal, split over parenthesized lines when it is too long for one."""

    value: str

    def flat(self) -> str:
        return literal(self.value)

    def broken(self, indent: int) -> str:
        room = max(WIDTH - indent - len(INDENT) - 2, 20)
        chunks: list[str] = []
        current = ""
        for ch in self.value:
            if len(literal(current + ch)) > room:
                chunks.append(current)
                current = ""
            current += ch
        chunks.append(current)
        inner = " " * (indent + len(INDENT))
        return "(\n" + "".join(f"{inner}{literal(c)}\n" for c in chunks) + " " * indent + ")"


@dataclass
class Call(Code):
    """``func(arg, ..., key=value, ...)``; broken with one argument a line, like black."""

    func: str
    args: Sequence[Code] = ()
    kwargs: Sequence[tuple[str, Code]] = ()

    def _items(self) -> list[tuple[str, Code]]:
        return [("", a) for a in self.args] + [(f"{k}=", v) for k, v in self.kwargs]

    def flat(self) -> str:
        return f"{self.func}(" + ", ".join(prefix + v.flat() for prefix, v in self._items()) + ")"

    def broken(self, indent: int) -> str:
        return _broken(f"{self.func}(", ")", self._items(), indent)


BRACKETS = {"list": ("[", "]"), "tuple": ("(", ")"), "dict": ("{", "}")}


@dataclass
class Seq(Code):
    """A list ``[...]``, tuple ``(...)`` or dict ``{...}`` (dict items are ``key: `` prefixes)."""

    items: Sequence[Code | tuple[Code, Code]]
    kind: str = "list"

    def _pairs(self) -> list[tuple[str, Code]]:
        pairs: list[tuple[str, Code]] = []
        for item in self.items:
            if isinstance(item, tuple):
                key, value = item
                pairs.append((f"{key.flat()}: ", value))
            else:
                pairs.append(("", item))
        return pairs

    def flat(self) -> str:
        open_, close = BRACKETS[self.kind]
        body = ", ".join(prefix + v.flat() for prefix, v in self._pairs())
        if self.kind == "tuple" and len(self.items) == 1:
            body += ","
        return f"{open_}{body}{close}"

    def broken(self, indent: int) -> str:
        open_, close = BRACKETS[self.kind]
        return _broken(open_, close, self._pairs(), indent)


def _broken(open_: str, close: str, items: list[tuple[str, Code]], indent: int) -> str:
    inner = indent + len(INDENT)
    lines = [open_]
    for prefix, value in items:
        lines.append(" " * inner + prefix + render(value, inner, inner + len(prefix)) + ",")
    lines.append(" " * indent + close)
    return "\n".join(lines)


def render(code: Code, indent: int, column: int) -> str:
    """``code`` starting at ``column`` of a line indented by ``indent``: one line if it fits."""
    flat = code.flat()
    if column + len(flat) <= WIDTH - 1:  # room for a trailing comma or parenthesis
        return flat
    return code.broken(indent)


def statement(prefix: str, code: Code, indent: int = 0) -> str:
    """One assignment-like line ``prefix + code`` at ``indent`` spaces, laid out to fit."""
    lead = " " * indent + prefix
    return lead + render(code, indent, len(lead))


# ---- relationship names -------------------------------------------------------------------------


def singular(name: str) -> str:
    """A naive English singular of a snake_case name, for a many-to-one attribute (``users`` → ``user``)."""
    if name.endswith("ies") and len(name) > 3:
        return name[:-3] + "y"
    if name.endswith("sses") or (name.endswith("s") and not name.endswith(("ss", "us", "is"))):
        return name[:-2] if name.endswith("sses") else name[:-1]
    return name


def plural(name: str) -> str:
    """A naive English plural, for a one-to-many attribute (``category`` → ``categories``)."""
    if name.endswith("s"):
        return name
    if name.endswith("y") and len(name) > 1 and name[-2] not in "aeiou":
        return name[:-1] + "ies"
    return name + "s"


@dataclass(frozen=True)
class Link:
    """One foreign key seen from both ends: the child's attribute and the parent's back-reference."""

    rel: Relationship
    child_attr: str
    parent_attr: str
    ambiguous: bool  # another foreign key joins the same two tables: say which columns
    optional: bool  # a local column is nullable
    one_to_one: bool  # the local columns are the child's key or a unique constraint


def fk_stem(table: Table, rel: Relationship) -> str | None:
    """``author`` for a single column ``author_id``; None when the column name gives no good stem."""
    if len(rel.from_columns) != 1:
        return None
    column = table.column(rel.from_columns[0])
    if column is None or not column.name.lower().endswith("_id") or len(column.name) <= 3:
        return None
    return snake(column.name[:-3], "ref")


def links(doc: Document, namespaces: dict[str, Identifiers], stems: dict[str, str] | None = None) -> list[Link]:
    """Names for both ends of every foreign key with columns, claimed in each table's namespace.

    ``stems`` gives a relationship id's child-side name where the caller decided it (Django, whose
    foreign-key field replaces the column); otherwise it comes from the column or the parent table.
    """
    with_columns = [
        r for r in doc.relationships if r.from_columns and doc.table(r.from_table) and doc.table(r.to_table)
    ]
    pairs: dict[frozenset[str], int] = {}
    directed: dict[tuple[str, str], int] = {}
    for rel in with_columns:
        key = frozenset((rel.from_table, rel.to_table))
        pairs[key] = pairs.get(key, 0) + 1
        directed[(rel.from_table, rel.to_table)] = directed.get((rel.from_table, rel.to_table), 0) + 1
    out: list[Link] = []
    for rel in with_columns:
        child, parent = doc.table(rel.from_table), doc.table(rel.to_table)
        assert child is not None and parent is not None
        if stems and rel.id in stems:
            child_attr = stems[rel.id]
        else:
            child_attr = namespaces[child.id].claim(fk_stem(child, rel) or singular(snake(parent.name, "parent")))
        many = plural(snake(child.name, "child"))
        if rel.from_table == rel.to_table:
            back = "children" if child_attr == "parent" else f"{child_attr}_{many}"
        elif directed[(rel.from_table, rel.to_table)] > 1:
            back = f"{child_attr}_{many}"
        else:
            back = many
        columns = [child.column(c) for c in rel.from_columns]
        local = set(rel.from_columns)
        keys = [set(u.columns) for u in child.uniques]
        if child.primary_key:
            keys.append(set(child.primary_key.columns))
        out.append(
            Link(
                rel,
                child_attr,
                namespaces[parent.id].claim(back),
                pairs[frozenset((rel.from_table, rel.to_table))] > 1,
                any(c is None or c.nullable for c in columns),
                local in keys,
            )
        )
    return out


def used_names(source: str) -> set[str]:
    """Every name token in ``source`` (never text inside string literals), to import only what is used."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {tok.string for tok in tokens if tok.type == tokenize.NAME}
