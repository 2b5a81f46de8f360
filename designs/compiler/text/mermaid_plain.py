"""Plain Mermaid for people: the editor's text without ``%% @dbstudio`` lines, read back against the design.

The lossless text (``mermaid.py``) carries ids and everything Mermaid cannot say in directive lines, one
after every table, column and relationship. People reading or typing a diagram want Mermaid as they know
it, so the editor shows ``print_plain`` and reads what they type with ``parse_against``, which knows the
design the text was printed from:

- Text that holds directive lines reads as it always does (lossless text pasted into the plain view).
- A table, column or relationship line is matched to the object it was printed
  from: a table by its entity name, a column by its name within its table, a relationship by the two
  tables it joins (and its label). Failing that, an object in the same place that looks like the same
  one renamed (a table most of whose columns match; a column at the same position) is taken as a rename.
- A matched object gets the printer's directive for it, less what the text now states differently: a
  retyped column keeps its id, default and comment, and takes the new type; a renamed table keeps its
  indexes and position.
- What the text does not mention at all (enums, notes, areas, access patterns, roles, grants, policies,
  the design's settings) is kept, less its references to tables and columns the text removed; an index,
  key or pattern that loses its column goes with it, and a warning says so.
- New objects get ids that no object of the design had, so comments never attach to a stranger.

Printing and reading back with no edit gives the design back exactly (tests/compiler/test_mermaid_plain.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..document import Document, Table
from ..parse.errors import position
from ..parse.mermaid import (
    Attribute,
    Context,
    Diagram,
    Directive,
    Entity,
    Link,
    ParseResult,
    implied_column,
    parse_mermaid,
    slug,
    table_name,
    table_slug,
)
from .mermaid import (
    _MERMAID_CARD,
    AttributeText,
    EntityText,
    _dump,
    _labels,
    _unquote,
    design_text,
    entity_text,
    link_text,
    print_mermaid,
)

# Top-level lists the plain text leaves out, by directive kind.
_LISTS = ("enum", "note", "area", "access_pattern", "role", "grant", "policy")
_PATTERN_COLUMNS = ("equality", "range", "select", "contains", "text_search")


def print_plain(doc: Document) -> str:
    """The document as Mermaid without directive lines; ``parse_against(text, doc)`` reads it back to ``doc``."""
    return print_mermaid(doc, details=False)


def parse_against(text: str, base: Document) -> ParseResult:
    """Read Mermaid text, taking from ``base`` what it does not state (see the module's docstring).

    Text with directive lines is lossless text: it reads as ``parse_mermaid`` reads it.
    """
    return parse_mermaid(text, prepare=lambda diagram: _Filler(diagram, base).fill())


@dataclass
class _Filler:
    diagram: Diagram
    base: Document
    removed_tables: set[str] = field(default_factory=set)
    removed_columns: set[str] = field(default_factory=set)
    table_ids: dict[str, str] = field(default_factory=dict)  # entity label → id of its table in the result

    def __post_init__(self) -> None:
        self.ctx = Context(target=self.base.settings.target, enums={e.name: e.id for e in self.base.enums})
        self.labels = _labels(self.base)
        self.taken = {t.id for t in self.base.tables} | {c.id for t in self.base.tables for c in t.columns}

    def fill(self) -> None:
        if self.diagram.directives:
            return  # lossless text (pasted, or typed in the detailed view) says everything itself
        self._tables()
        self._links()
        self._top_level()

    # -- tables and columns ---------------------------------------------------------------------

    def _tables(self) -> None:
        entities = list(self.diagram.entities.items())
        used: set[str] = set()
        by_label = {self.labels[t.id]: t for t in self.base.tables}
        pairs: dict[str, Table] = {}
        for label, _ in entities:
            table = by_label.get(label)
            if table is not None and table.id not in used:
                pairs[label] = table
                used.add(table.id)
        for index, (label, entity) in enumerate(entities):
            if label not in pairs and index < len(self.base.tables):
                table = self.base.tables[index]
                if table.id not in used and _looks_renamed(entity, table):
                    pairs[label] = table
                    used.add(table.id)
        self.removed_tables = {t.id for t in self.base.tables} - used
        for label, entity in entities:
            if label in pairs:
                table = pairs[label]
                self.table_ids[label] = table.id
                self._table(label, entity, table, entity_text(self.base, table, self.labels[table.id], self.ctx))
            else:
                self._new_table(label, entity)

    def _new_table(self, label: str, entity: Entity) -> None:
        name, schema = table_name(entity.alias or label, {})
        tslug = table_slug(name, schema)
        table_id = self._fresh(f"t_{tslug}")
        if table_id != f"t_{tslug}":
            entity.directive = self._directive("table", {"id": table_id}, entity.start)
        self.table_ids[label] = table_id
        for attr in entity.attributes:
            self._new_column(attr, tslug)

    def _new_column(self, attr: Attribute, tslug: str) -> str:
        implied = f"c_{tslug}.{slug(attr.name)}"
        column_id = self._fresh(implied)
        if column_id != implied:
            attr.directive = self._directive("column", {"id": column_id}, attr.start)
        return column_id

    def _table(self, label: str, entity: Entity, table: Table, shown: EntityText) -> None:
        data = dict(shown.directive)
        if label != shown.label:  # renamed in the text: the text's name wins
            data.pop("name", None)
            if "schema" in data and not label.startswith(f"{data['schema']}."):
                data.pop("schema")
        name, schema = table_name(entity.alias or label, data)
        tslug, base_tslug = table_slug(name, schema), table_slug(table.name, table.schema_)

        # A repeated attribute name is dropped when the table is built (with a warning): it is nobody.
        seen: set[str] = set()
        attrs: list[tuple[int, Attribute]] = []
        for i, attr in enumerate(entity.attributes):
            if attr.name.lower() not in seen:
                seen.add(attr.name.lower())
                attrs.append((i, attr))
        pairs = _pair_columns(attrs, shown.attributes)
        ids: dict[int, str] = {}
        for index, attr in attrs:
            if index in pairs:
                ids[index] = self._column(attr, shown.attributes[pairs[index]], base_tslug, tslug)
            else:
                ids[index] = self._new_column(attr, tslug)
        kept = {table.columns[j].id for j in pairs.values()}
        removed = {c.id for c in table.columns} - kept
        self.removed_columns |= removed

        before_pk = [c.id for c, a in zip(table.columns, shown.attributes, strict=True) if "PK" in a.keys]
        now_pk = [ids[i] for i, a in attrs if "PK" in a.keys]
        if now_pk != before_pk:
            data.pop("primary_key", None)  # the PK markers say what the key is now
        before_uk = {c.id for c, a in zip(table.columns, shown.attributes, strict=True) if "UK" in a.keys}
        now_uk = {ids[i]: a for i, a in attrs if "UK" in a.keys}
        if "uniques" in data and set(now_uk) != before_uk:
            uniques = [u for u in data["uniques"] if len(u["columns"]) > 1 or u["columns"][0] in now_uk]
            single = {u["columns"][0] for u in uniques if len(u["columns"]) == 1}
            uniques += [{"id": f"u_{tslug}.{slug(a.name)}", "columns": [i]}
                        for i, a in now_uk.items() if i not in single]
            data["uniques"] = uniques
        self._prune_table(data, removed, name)
        entity.directive = self._directive("table", data, entity.start)

    def _column(self, attr: Attribute, shown: AttributeText, base_tslug: str, tslug: str) -> str:
        before = implied_column(_unquote(shown.type_token), _unquote(shown.name_token), shown.keys, shown.comment,
                                base_tslug, self.ctx)
        now = implied_column(attr.type_text, attr.name, attr.keys, attr.comment, tslug, self.ctx)
        # Keep what the text does not state, and what it states as before; what it changed wins.
        data = {k: v for k, v in shown.directive.items() if k == "id" or k not in now or now[k] == before[k]}
        attr.directive = self._directive("column", data, attr.start)
        return str(data["id"])

    def _prune_table(self, data: dict[str, Any], removed: set[str], table: str) -> None:
        if not removed:
            return
        key = data.get("primary_key")
        if key is not None:
            columns = [c for c in key["columns"] if c not in removed]
            data["primary_key"] = {**key, "columns": columns} if columns else None
        for kind, noun in (("uniques", "unique constraint"), ("indexes", "index"), ("checks", "check")):
            kept = []
            for item in data.get(kind, []):
                if _mentions(item, removed):
                    self._warn(f"{noun} {item.get('name') or item['id']} on {table} is removed with its column")
                else:
                    kept.append(item)
            if kind in data:
                data[kind] = kept
        if data.get("partitioning") and _mentions(data["partitioning"], removed):
            self._warn(f"the partitioning of {table} is removed with its key column")
            data["partitioning"] = None
        options = data.get("options")
        if options and options.get("updated_at_column") in removed:
            data["options"] = {k: v for k, v in options.items() if k != "updated_at_column"}

    # -- relationships --------------------------------------------------------------------------

    def _links(self) -> None:
        used: set[str] = set()
        matched: list[Link] = []
        new: list[Link] = []
        for link in self.diagram.links:
            left, right = self.table_ids.get(link.left), self.table_ids.get(link.right)
            candidates = [r for r in self.base.relationships
                          if r.id not in used and {r.from_table, r.to_table} == {left, right}
                          and (left != right or r.from_table == left)]
            if not candidates:
                new.append(link)
                continue
            rel = next((r for r in candidates if (r.label or "") == link.label), candidates[0])
            used.add(rel.id)
            shown = link_text(rel, self.base, self.labels)
            if (rel.from_table, rel.to_table) == (left, right) and left != right:
                # Written child first: the same statement turned round, as the printer writes it.
                link.left, link.right = link.right, link.left
                link.left_card, link.right_card = link.right_card, link.left_card
            data = dict(shown.directive)
            if link.label != (shown.label[1:-1] if shown.label.startswith('"') else shown.label):
                data.pop("label", None)
            if link.left_card != _MERMAID_CARD[shown.left]:
                data.pop("to_cardinality", None)
            if link.right_card != _MERMAID_CARD[shown.right]:
                data.pop("from_cardinality", None)
            if link.identifying != shown.identifying:
                data.pop("identifying", None)
            columns = data.get("from_columns", []) + data.get("to_columns", [])
            if any(c in self.removed_columns for c in columns):
                self._warn(f"relationship {rel.name or rel.id} lost a column; pick its columns again", link.start)
                data.pop("from_columns", None)
                data.pop("to_columns", None)
            link.directive = self._directive("relationship", data, link.start)
            matched.append(link)
        # Matched lines first: their ids are the design's, and a new line's id is made unique against them.
        self.diagram.links = matched + new

    # -- what the text leaves out ---------------------------------------------------------------

    def _top_level(self) -> None:
        base, diagram = self.base, self.diagram
        title, description, design = design_text(base)
        if diagram.title != title:
            design.pop("name", None)
        if diagram.acc_descr != description:
            design.pop("description", None)
        if design:
            diagram.directives.append(self._directive("design", design, 0))
        lists: dict[str, list[Any]] = {
            "enum": base.enums, "note": base.notes, "area": base.areas, "access_pattern": base.access_patterns,
            "role": base.security.roles, "grant": base.security.grants, "policy": base.security.policies,
        }
        for kind in _LISTS:
            for item in lists[kind]:
                data = self._kept(kind, _dump(item))
                if data is not None:
                    diagram.directives.append(self._directive(kind, data, 0))

    def _kept(self, kind: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """``data`` without references to what the text removed; None when nothing sensible is left."""
        gone_tables, gone_columns = self.removed_tables, self.removed_columns
        if kind == "note" and data.get("anchor") in gone_tables | gone_columns:
            data.pop("anchor")
        elif kind == "access_pattern":
            if data["table"] in gone_tables:
                self._warn(f"access pattern {data['name']} is removed with its table")
                return None
            for key in _PATTERN_COLUMNS:
                if key in data:
                    data[key] = [c for c in data[key] if c not in gone_columns]
            if "order_by" in data:
                data["order_by"] = [o for o in data["order_by"] if o["column"] not in gone_columns]
        elif kind == "grant":
            for key, gone in (("tables", gone_tables), ("columns", gone_columns)):
                if data.get(key) and not [i for i in data[key] if i not in gone]:
                    return None  # an empty list would mean every table: the grant goes instead
                if key in data:
                    data[key] = [i for i in data[key] if i not in gone]
        elif kind == "policy" and data["table"] in gone_tables:
            self._warn(f"policy {data['name']} is removed with its table")
            return None
        return data

    # -- helpers ----------------------------------------------------------------------------------

    def _fresh(self, wanted: str) -> str:
        out, n = wanted, 1
        while out in self.taken:
            n += 1
            out = f"{wanted}_{n}"
        self.taken.add(out)
        return out

    def _directive(self, kind: str, data: dict[str, Any], offset: int) -> Directive:
        line, column = position(self.diagram.text, offset)
        return Directive(kind, data, line, column, offset)

    def _warn(self, message: str, offset: int = 0) -> None:
        if offset:
            self.diagram.warn(message, offset)
        else:
            self.diagram.warnings.append(message)


def _pair_columns(attributes: list[tuple[int, Attribute]], shown: list[AttributeText]) -> dict[int, int]:
    """Attribute index → index of the printed column it is: by name, else the same place (a rename)."""
    by_name = {_unquote(a.name_token): j for j, a in enumerate(shown)}
    pairs: dict[int, int] = {}
    for i, attr in attributes:
        j = by_name.get(attr.name)
        if j is not None and j not in pairs.values():
            pairs[i] = j
    taken = set(pairs.values())
    for i, _ in attributes:
        if i not in pairs and i < len(shown) and i not in taken:
            pairs[i] = i
            taken.add(i)
    return pairs


def _looks_renamed(entity: Entity, table: Table) -> bool:
    """An entity in a table's place is that table renamed when most of its columns are the table's."""
    names, columns = {a.name for a in entity.attributes}, {c.name for c in table.columns}
    if not names and not columns:
        return True
    return 2 * len(names & columns) >= max(len(names), len(columns)) > 0


def _mentions(value: Any, ids: set[str]) -> bool:
    if isinstance(value, str):
        return value in ids
    if isinstance(value, dict):
        return any(_mentions(v, ids) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, ids) for v in value)
    return False
