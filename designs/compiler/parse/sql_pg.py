"""Statements sqlglot reads only as opaque commands, read here with small patterns.

COMMENT ON, CREATE TYPE ... AS ENUM, CREATE DOMAIN, CREATE SEQUENCE / ALTER SEQUENCE ... OWNED BY,
ALTER TABLE ... ATTACH PARTITION / ADD GENERATED AS IDENTITY / ENABLE ROW LEVEL SECURITY,
CREATE TABLE ... PARTITION OF, CREATE POLICY, SET search_path. Each returns True when it handled
the statement, so the caller can fall back to sqlglot or to "skipped".
"""

from __future__ import annotations

import re
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.tokens import Tokenizer, TokenType

from .errors import ParseError
from .sql_model import Model, Sequence
from .sql_types import Domain

_I = re.IGNORECASE | re.DOTALL
IDENT = r'(?:"(?:[^"]|"")+"|[^\s.,();"]+)'
QNAME = rf"(?:{IDENT}\.)?{IDENT}"
STRING = r"(?:E?'(?:[^']|'')*')"

_COMMENT = re.compile(
    rf"COMMENT\s+ON\s+(TABLE|COLUMN|TYPE|INDEX|DOMAIN|SCHEMA|\w+(?:\s+\w+)?)\s+(.+?)\s+IS\s+({STRING}|NULL)\s*$", _I
)
_ENUM = re.compile(rf"CREATE\s+TYPE\s+({QNAME})\s+AS\s+ENUM\s*\((.*)\)\s*$", _I)
_DOMAIN = re.compile(rf"CREATE\s+DOMAIN\s+({QNAME})\s+AS\s+(.+)$", _I)
_SEQUENCE = re.compile(rf"CREATE\s+SEQUENCE\s+(?:IF\s+NOT\s+EXISTS\s+)?({QNAME})(.*)$", _I)
_OWNED = re.compile(rf"ALTER\s+SEQUENCE\s+({QNAME})\s+OWNED\s+BY\s+({QNAME})\.({IDENT})\s*$", _I)
_ATTACH = re.compile(rf"ALTER\s+TABLE\s+(?:ONLY\s+)?({QNAME})\s+ATTACH\s+PARTITION\s+({QNAME})\s+(.+)$", _I)
_PARTITION_OF = re.compile(
    rf"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?({QNAME})\s+PARTITION\s+OF\s+({QNAME})\s+(.+)$", _I
)
_IDENTITY = re.compile(
    rf"ALTER\s+TABLE\s+(?:ONLY\s+)?({QNAME})\s+ALTER\s+COLUMN\s+({IDENT})\s+ADD\s+GENERATED\s+(ALWAYS|BY\s+DEFAULT)"
    r"\s+AS\s+IDENTITY\s*(?:\((.*)\))?\s*$",
    _I,
)
_RLS = re.compile(
    rf"ALTER\s+TABLE\s+(?:ONLY\s+)?({QNAME})\s+(ENABLE|DISABLE|FORCE|NO\s+FORCE)\s+ROW\s+LEVEL\s+SECURITY\s*$", _I
)
_SEARCH_PATH = re.compile(r"SET\s+(?:SESSION\s+|LOCAL\s+)?search_path\s*(?:=|TO)\s*(.+)$", _I)
_NUMBER = r"(-?\d+)"
_DOMAIN_CHECK = re.compile(
    r"(?:CONSTRAINT\s+(" + IDENT + r")\s+)?CHECK\s*\((.*?)\)\s*(?=CONSTRAINT|CHECK|NOT|NULL|DEFAULT|$)", _I
)


def unquote(ident: str) -> str:
    return ident[1:-1].replace('""', '"') if ident.startswith('"') else ident.lower()


def split_name(qname: str) -> tuple[str | None, str]:
    parts = re.findall(IDENT, qname)
    return (unquote(parts[0]) if len(parts) > 1 else None), unquote(parts[-1])


def _string(literal: str) -> str:
    body = literal[2:-1] if literal[:1] in "eE" else literal[1:-1]
    return body.replace("''", "'")


def _bound(text: str) -> dict[str, Any] | None:
    """``FOR VALUES FROM (..) TO (..)`` / ``IN (..)`` / ``WITH (MODULUS m, REMAINDER r)`` / ``DEFAULT``."""
    text = text.strip()
    if re.fullmatch(r"DEFAULT", text, _I):
        return {"is_default": True}
    match = re.fullmatch(r"FOR\s+VALUES\s+FROM\s*\((.*)\)\s*TO\s*\((.*)\)", text, _I)
    if match:
        return {"from_values": _values(match.group(1)), "to_values": _values(match.group(2))}
    match = re.fullmatch(r"FOR\s+VALUES\s+IN\s*\((.*)\)", text, _I)
    if match:
        return {"values": _values(match.group(1))}
    match = re.fullmatch(rf"FOR\s+VALUES\s+WITH\s*\(\s*MODULUS\s+{_NUMBER}\s*,\s*REMAINDER\s+{_NUMBER}\s*\)", text, _I)
    if match:
        return {"modulus": int(match.group(1)), "remainder": int(match.group(2))}
    return None


def _values(text: str) -> list[str]:
    return [v.strip() for v in re.findall(rf"{STRING}|[^,]+", text) if v.strip()]


class PostgresStatements:
    """Handlers for one model; ``schema`` is the current search_path's first schema."""

    def __init__(self, model: Model):
        self.model = model
        self.schema: str | None = None
        self.domains: dict[str, Domain] = {}

    def qualify(self, schema: str | None) -> str | None:
        schema = schema or self.schema
        return None if schema in (None, "public") else schema

    def handle(self, text: str, line: int) -> bool:
        for pattern, method in (
            (_COMMENT, self._comment),
            (_ENUM, self._enum),
            (_DOMAIN, self._domain),
            (_SEQUENCE, self._sequence),
            (_OWNED, self._owned),
            (_ATTACH, self._attach),
            (_PARTITION_OF, self._partition_of),
            (_IDENTITY, self._identity),
            (_RLS, self._rls),
            (_SEARCH_PATH, self._search_path),
        ):
            match = pattern.match(text)
            if match and method(match, line):
                return True
        return False

    def _comment(self, match: re.Match[str], line: int) -> bool:
        kind, target, literal = match.group(1).upper(), match.group(2), match.group(3)
        value = None if literal.upper() == "NULL" else _string(literal)
        parts = [unquote(p) for p in re.findall(IDENT, target)]
        model = self.model
        if kind == "TABLE":
            table = model.find(self.qualify(parts[0] if len(parts) > 1 else None), parts[-1])
            if table:
                table.comment = value
                return True
        elif kind == "COLUMN" and len(parts) >= 2:
            table = model.find(self.qualify(parts[-3] if len(parts) > 2 else None), parts[-2])
            column = table.column(parts[-1]) if table else None
            if column is not None:
                column["comment"] = value
                return True
        elif kind == "TYPE":
            enum = model.enums.get(parts[-1].lower())
            if enum is not None:
                enum["comment"] = value
                return True
        elif kind == "INDEX":
            for table in model.tables.values():
                for index in table.indexes:
                    if index.get("name") == parts[-1]:
                        index["comment"] = value
                        return True
        model.skip(f"COMMENT ON {kind}", line)
        return True

    def _enum(self, match: re.Match[str], line: int) -> bool:
        schema, name = split_name(match.group(1))
        values = [_string(v) for v in re.findall(STRING, match.group(2))]
        enum: dict[str, Any] = {"id": self.model.new_id(f"e_{name}" if re.fullmatch(r"\w{1,60}", name) else "e_enum"),
                                "name": name, "values": values}
        if self.qualify(schema):
            enum["schema"] = self.qualify(schema)
        self.model.enums[name.lower()] = enum
        return True

    def _domain(self, match: re.Match[str], line: int) -> bool:
        _, name = split_name(match.group(1))
        rest = match.group(2)
        cut = re.search(r"\s(COLLATE|DEFAULT|CONSTRAINT|NOT\s+NULL|NULL|CHECK)\b", rest, _I)
        type_text = rest[: cut.start()] if cut else rest
        try:
            created = sqlglot.parse_one(f"CREATE TABLE _d (_v {type_text})", read="postgres")
            base = created.this.expressions[0].args["kind"]
        except (sqlglot.errors.SqlglotError, AttributeError, IndexError):
            return False
        domain = Domain(name, base)
        tail = rest[cut.start():] if cut else ""
        domain.not_null = bool(re.search(r"\bNOT\s+NULL\b", tail, _I))
        for check in _DOMAIN_CHECK.finditer(tail):
            domain.checks.append((unquote(check.group(1)) if check.group(1) else None, check.group(2).strip()))
        self.domains[name.lower()] = domain
        return True

    def _sequence(self, match: re.Match[str], line: int) -> bool:
        _, name = split_name(match.group(1))
        options = match.group(2)
        seq = Sequence()
        start = re.search(rf"START\s+(?:WITH\s+)?{_NUMBER}", options, _I)
        step = re.search(rf"INCREMENT\s+(?:BY\s+)?{_NUMBER}", options, _I)
        seq.start = int(start.group(1)) if start else None
        seq.increment = int(step.group(1)) if step else None
        self.model.sequences[name.lower()] = seq
        return True

    def _owned(self, match: re.Match[str], line: int) -> bool:
        _, name = split_name(match.group(1))
        seq = self.model.sequences.get(name.lower())
        schema, table = split_name(match.group(2))
        if seq is None:
            return False
        seq.owner = ((self.qualify(schema), table.lower()), unquote(match.group(3)).lower())
        return True

    def _attach(self, match: re.Match[str], line: int) -> bool:
        parent = split_name(match.group(1))
        child = self.model.find(self.qualify(split_name(match.group(2))[0]), split_name(match.group(2))[1])
        bound = _bound(match.group(3))
        if child is None or bound is None:
            return False
        child.partition_of = ((self.qualify(parent[0]), parent[1]), bound)
        return True

    def _partition_of(self, match: re.Match[str], line: int) -> bool:
        schema, name = split_name(match.group(1))
        parent = split_name(match.group(2))
        bound = _bound(match.group(3))
        parent_table = self.model.find(self.qualify(parent[0]), parent[1])
        if bound is None or parent_table is None:
            return False
        child = self.model.add_table(name, self.qualify(schema), line)
        child.partition_of = ((self.qualify(parent[0]), parent[1]), bound)
        return True

    def _identity(self, match: re.Match[str], line: int) -> bool:
        schema, table = split_name(match.group(1))
        options = match.group(4) or ""
        identity: dict[str, Any] = {"always": match.group(3).upper() == "ALWAYS"}
        start = re.search(rf"START\s+(?:WITH\s+)?{_NUMBER}", options, _I)
        step = re.search(rf"INCREMENT\s+(?:BY\s+)?{_NUMBER}", options, _I)
        if start and start.group(1) != "1":
            identity["start"] = int(start.group(1))
        if step and step.group(1) != "1":
            identity["increment"] = int(step.group(1))
        key = ((self.qualify(schema), table.lower()), unquote(match.group(2)).lower())
        self.model.identities[key] = identity
        seq = re.search(rf"SEQUENCE\s+NAME\s+({QNAME})", options, _I)
        if seq:
            self.model.sequences.pop(split_name(seq.group(1))[1].lower(), None)
        return True

    def _rls(self, match: re.Match[str], line: int) -> bool:
        schema, name = split_name(match.group(1))
        table = self.model.find(self.qualify(schema), name)
        if table is None:
            return False
        verb = " ".join(match.group(2).upper().split())
        if verb in ("ENABLE", "DISABLE"):
            table.rls["enabled"] = verb == "ENABLE"
        else:
            table.rls["force"] = verb == "FORCE"
        return True

    def _search_path(self, match: re.Match[str], line: int) -> bool:
        first = match.group(1).split(",")[0].strip().strip("'")
        self.schema = unquote(first) if first and first.lower() != "pg_catalog" else None
        if self.schema == "public":
            self.schema = None
        return True

    # -- CREATE POLICY, with sqlglot's tokenizer: a missing ';' after it must be reported where it is.

    def policy(self, text: str, line: int, column: int) -> None:
        tokens = Tokenizer().tokenize(text)
        pos = 2  # CREATE POLICY
        name = tokens[pos].text
        pos += 1
        if pos >= len(tokens) or tokens[pos].text.upper() != "ON":
            raise _at(tokens[min(pos, len(tokens) - 1)], line, column, "expected ON after the policy name")
        pos += 1
        qname = [tokens[pos]]
        while pos + 2 < len(tokens) and tokens[pos + 1].token_type == TokenType.DOT:
            qname.append(tokens[pos + 2])
            pos += 2
        pos += 1
        policy: dict[str, Any] = {"name": name}
        table_name = qname[-1].text if qname[-1].token_type == TokenType.IDENTIFIER else qname[-1].text.lower()
        schema = qname[0].text.lower() if len(qname) > 1 else None
        roles: list[str] = []
        while pos < len(tokens):
            word = tokens[pos].text.upper()
            if word == "AS" and pos + 1 < len(tokens):
                policy["permissive"] = tokens[pos + 1].text.upper() == "PERMISSIVE"
                pos += 2
            elif word == "FOR" and pos + 1 < len(tokens):
                policy["command"] = tokens[pos + 1].text.lower()
                pos += 2
            elif word == "TO":
                pos += 1
                while pos < len(tokens):
                    roles.append(tokens[pos].text)
                    pos += 1
                    if pos < len(tokens) and tokens[pos].token_type == TokenType.COMMA:
                        pos += 1
                    else:
                        break
            elif word in ("USING", "WITH"):
                if word == "WITH":
                    pos += 1  # CHECK
                pos, expression = _parenthesized(text, tokens, pos + 1, line, column)
                policy["using" if word == "USING" else "with_check"] = expression
            else:
                raise _at(tokens[pos], line, column, f"unexpected {tokens[pos].text!r} in CREATE POLICY",
                          "is a ';' missing before it?")
        table = self.model.find(self.qualify(schema), table_name)
        if table is None:
            self.model.notes.append(f"line {line}: policy {name!r} is on {table_name!r}, not in the file; skipped")
            return
        policy["id"] = self.model.new_id(f"pol_{table.id[2:]}_{len(self.model.policies) + 1}")
        policy["table"] = table.id
        ids = []
        for role in roles:
            if role.lower() == "public":
                ids.append("public")
                continue
            if role not in self.model.roles:
                role_id = self.model.new_id(f"role_{re.sub(r'[^A-Za-z0-9_]', '_', role)[:50]}")
                self.model.roles[role] = {"id": role_id, "name": role}
            entry = self.model.roles[role]
            ids.append(entry["id"])
        if ids:
            policy["roles"] = ids
        self.model.policies.append(policy)


def _parenthesized(text: str, tokens: list[Any], pos: int, line: int, column: int) -> tuple[int, str]:
    if pos >= len(tokens) or tokens[pos].token_type != TokenType.L_PAREN:
        raise _at(tokens[min(pos, len(tokens) - 1)], line, column, "expected ( after USING or WITH CHECK")
    depth, start = 0, pos
    while pos < len(tokens):
        if tokens[pos].token_type == TokenType.L_PAREN:
            depth += 1
        elif tokens[pos].token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return pos + 1, text[tokens[start].end + 1 : tokens[pos].start].strip()
        pos += 1
    raise _at(tokens[-1], line, column, "unbalanced parentheses", "add the missing )")


def _at(token: Any, line: int, column: int, message: str, hint: str | None = None) -> ParseError:
    """A ParseError at a token of a statement that starts at (line, column) in the file."""
    tline = line + token.line - 1
    tcol = token.col - len(token.text) + 1
    if token.line == 1:
        tcol += column - 1
    return ParseError(message, tline, tcol, hint)


def domain_checks(domain: Domain, column_name: str, quote: str = '"') -> list[tuple[str | None, str]]:
    """The domain's checks on one column: VALUE replaced by the column's quoted name."""
    quoted = quote + column_name.replace(quote, quote * 2) + quote
    return [(name, re.sub(r"\bVALUE\b", quoted, expression)) for name, expression in domain.checks]


__all__ = ["PostgresStatements", "domain_checks", "exp"]
