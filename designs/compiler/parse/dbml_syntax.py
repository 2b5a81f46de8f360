"""DBML tokens → statements (a small syntax tree), by recursive descent over DBML's grammar.

The tree is also what ``text/dbml.py`` builds before it renders text, so printing and parsing
share one shape: the printer makes the statements, ``parse/dbml.py`` turns statements into a
document, and the printer asks that same code what a statement implies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .dbml_lexer import Directive, Lexer, Token
from .errors import ParseError


@dataclass
class Setting:
    """``key`` or ``key: value`` inside ``[...]``; value is a Token, a Ref (for ``ref:``) or None."""

    key: str
    value: Any = None
    token: Token | None = None


@dataclass
class Endpoint:
    schema: str | None
    table: str
    columns: list[str]
    token: Token | None = None


@dataclass
class RefDef:
    name: str | None
    left: Endpoint
    op: str  # one of > < - <>
    right: Endpoint
    settings: list[Setting] = field(default_factory=list)
    directive: Directive | None = None
    token: Token | None = None


@dataclass
class ColumnDef:
    name: str
    type_text: str
    settings: list[Setting] = field(default_factory=list)
    directive: Directive | None = None
    token: Token | None = None


@dataclass
class IndexDef:
    keys: list[tuple[str, str]]  # ("column", name) or ("expression", sql)
    settings: list[Setting] = field(default_factory=list)
    directive: Directive | None = None
    token: Token | None = None


@dataclass
class CheckDef:
    expression: str
    settings: list[Setting] = field(default_factory=list)
    directive: Directive | None = None
    token: Token | None = None


@dataclass
class TableDef:
    """A Table or a TablePartial; ``body`` holds ColumnDefs and ``("partial", name, token)`` injections in order."""

    schema: str | None
    name: str
    alias: str | None = None
    settings: list[Setting] = field(default_factory=list)
    body: list[Any] = field(default_factory=list)
    indexes: list[IndexDef] = field(default_factory=list)
    checks: list[CheckDef] = field(default_factory=list)
    note: str | None = None
    directive: Directive | None = None
    token: Token | None = None
    partial: bool = False


@dataclass
class EnumDef:
    schema: str | None
    name: str
    values: list[tuple[str, list[Setting]]]
    directive: Directive | None = None
    token: Token | None = None


@dataclass
class NoteDef:
    name: str
    text: str
    directive: Directive | None = None
    token: Token | None = None


@dataclass
class GroupDef:
    name: str
    settings: list[Setting] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    directive: Directive | None = None
    token: Token | None = None


@dataclass
class ProjectDef:
    name: str | None
    settings: dict[str, Token] = field(default_factory=dict)
    note: str | None = None
    directive: Directive | None = None
    token: Token | None = None


Statement = TableDef | EnumDef | RefDef | NoteDef | GroupDef | ProjectDef | Directive
_TOP_HINT = "a statement starts with Project, Table, TablePartial, Enum, Ref, TableGroup or Note"


class Syntax:
    """Read statements from text; every error is a ParseError at the offending token."""

    def __init__(self, text: str):
        lexer = Lexer(text)
        self.tokens = lexer.run()
        self.directives = lexer.directives
        self.trailing = {d.line: d for d in self.directives if d.trailing}
        self.index = 0
        self.warnings: list[str] = []

    # -- token helpers ---------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def next(self) -> Token:
        token = self.peek()
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def error(self, message: str, token: Token, hint: str | None = None) -> ParseError:
        return ParseError(message, token.line, token.column, hint)

    def expect(self, *kinds: str, what: str) -> Token:
        token = self.peek()
        if token.kind not in kinds:
            raise self.error(f"expected {what}, found {token.describe()}", token)
        return self.next()

    def is_word(self, *words: str) -> bool:
        token = self.peek()
        return token.kind == "WORD" and token.value.lower() in words

    def skip_newlines(self) -> None:
        while self.peek().kind == "NEWLINE":
            self.next()

    def end_of_line(self) -> None:
        if self.peek().kind not in ("NEWLINE", "EOF", "}"):
            token = self.peek()
            raise self.error(f"expected the end of the line, found {token.describe()}", token)

    def claim(self, token: Token, *kinds: str) -> Directive | None:
        """The trailing directive on ``token``'s line, when it is of one of ``kinds``."""
        directive = self.trailing.get(token.line)
        if directive is None or directive.used or directive.kind not in kinds:
            return None
        directive.used = True
        return directive

    def name(self, what: str) -> Token:
        return self.expect("WORD", "QUOTED", "NUMBER", what=what)

    # -- statements --------------------------------------------------------------------------------

    def parse(self) -> list[Statement]:
        statements: list[Any] = []
        standalone = sorted((d for d in self.directives if not d.trailing), key=lambda d: d.line)
        while True:
            self.skip_newlines()
            token = self.peek()
            while standalone and (standalone[0].line < token.line or token.kind == "EOF"):
                statements.append(standalone.pop(0))
            if token.kind == "EOF":
                break
            keyword = token.value.lower() if token.kind == "WORD" else ""
            reader = {
                "project": self.project, "table": self.table, "tablepartial": self.table, "enum": self.enum,
                "ref": self.ref_statement, "tablegroup": self.group, "note": self.sticky_note,
            }.get(keyword)
            if reader is None:
                raise self.error(f"expected a statement, found {token.describe()}", token, hint=_TOP_HINT)
            result = reader()
            statements.extend(result if isinstance(result, list) else [result])
        for directive in self.directives:
            if directive.trailing and not directive.used:
                self.warnings.append(f"line {directive.line}: @dbstudio {directive.kind} directive does not "
                                     "belong to the element on its line; ignored")
        return statements

    def qualified(self, what: str) -> tuple[str | None, str, Token]:
        first = self.name(what)
        if self.peek().kind == ".":
            self.next()
            second = self.name(what)
            return first.value, second.value, first
        return None, first.value, first

    def settings(self) -> list[Setting]:
        """An optional ``[key, key: value, ...]`` list."""
        if self.peek().kind != "[":
            return []
        self.next()
        out: list[Setting] = []
        while True:
            self.skip_newlines()
            start = self.peek()
            if start.kind == "]" and not out:
                break
            words: list[str] = []
            while self.peek().kind == "WORD":
                words.append(self.next().value.lower())
            if not words:
                raise self.error(f"expected a setting, found {self.peek().describe()}", self.peek())
            setting = Setting(" ".join(words), token=start)
            if self.peek().kind == ":":
                self.next()
                setting.value = self.ref_inline() if setting.key == "ref" else self.value()
            out.append(setting)
            self.skip_newlines()
            if self.peek().kind == ",":
                self.next()
                continue
            break
        self.expect("]", what="',' or ']'")
        return out

    def value(self) -> Token:
        token = self.peek()
        if token.kind == "-" and self.peek(1).kind == "NUMBER":
            self.next()
            number = self.next()
            return Token("NUMBER", "-" + number.value, token.start, token.line, token.column)
        value = self.expect("STRING", "QUOTED", "EXPR", "NUMBER", "WORD", "COLOR", what="a value")
        if value.kind == "WORD":  # several words make one value: ``delete: set null``
            words = [value.value]
            while self.peek().kind == "WORD":
                words.append(self.next().value)
            value = Token("WORD", " ".join(words), value.start, value.line, value.column)
        return value

    def ref_inline(self) -> RefDef:
        op = self.expect(">", "<", "-", "<>", what="a relation (>, <, - or <>)")
        target = self.endpoint()
        return RefDef(None, Endpoint(None, "", []), op.kind, target, token=op)

    def endpoint(self) -> Endpoint:
        """``table.column``, ``schema.table.column`` or ``[schema.]table.(a, b)``."""
        parts: list[Token] = [self.name("a table name")]
        columns: list[str] = []
        while self.peek().kind == ".":
            self.next()
            if self.peek().kind == "(":
                self.next()
                columns = [self.name("a column name").value]
                while self.peek().kind == ",":
                    self.next()
                    columns.append(self.name("a column name").value)
                self.expect(")", what="',' or ')'")
                break
            parts.append(self.name("a column name"))
        if not columns:
            if len(parts) < 2:
                raise self.error("expected table.column", parts[0], hint="name the column after a dot")
            columns = [parts.pop().value]
        if len(parts) > 2:
            raise self.error("too many dots in a reference", parts[2], hint="use schema.table.column")
        schema = parts[0].value if len(parts) == 2 else None
        return Endpoint(schema, parts[-1].value, columns, parts[0])

    def note_body(self) -> str:
        """What follows ``Note``: ``: 'text'`` or ``{ 'text' }``."""
        if self.peek().kind == ":":
            self.next()
            return self.expect("STRING", "QUOTED", what="a string").value
        self.expect("{", what="':' or '{'")
        self.skip_newlines()
        text = self.expect("STRING", "QUOTED", what="a string").value
        self.skip_newlines()
        self.expect("}", what="'}'")
        return text

    def block_start(self) -> None:
        self.expect("{", what="'{'")

    def project(self) -> ProjectDef:
        start = self.next()
        project = ProjectDef(None, token=start, directive=self.claim(start, "design"))
        if self.peek().kind in ("WORD", "QUOTED"):
            project.name = self.next().value
        self.block_start()
        while True:
            self.skip_newlines()
            token = self.peek()
            if token.kind == "}":
                self.next()
                return project
            key = self.expect("WORD", what="a project setting or '}'")
            if key.value.lower() == "note":
                project.note = self.note_body()
            else:
                self.expect(":", what="':'")
                project.settings[key.value.lower()] = self.value()
            self.end_of_line()

    def table(self) -> TableDef:
        start = self.next()
        partial = start.value.lower() == "tablepartial"
        schema, name, _ = self.qualified("a table name")
        table = TableDef(schema, name, token=start, partial=partial, directive=self.claim(start, "table"))
        if self.is_word("as"):
            self.next()
            table.alias = self.name("an alias").value
        table.settings = self.settings()
        self.block_start()
        while True:
            self.skip_newlines()
            token = self.peek()
            if token.kind == "}":
                self.next()
                return table
            if token.kind == "~":
                self.next()
                table.body.append(("partial", self.name("a partial's name").value, token))
            elif self.is_word("indexes") and self.peek(1).kind == "{":
                self.next()
                table.indexes += self.lines(self.index_line)
            elif self.is_word("checks") and self.peek(1).kind == "{":
                self.next()
                table.checks += self.lines(self.check_line)
            elif self.is_word("note") and self.peek(1).kind in (":", "{"):
                self.next()
                table.note = self.note_body()
            else:
                table.body.append(self.column())
            self.end_of_line()

    def column(self) -> ColumnDef:
        name = self.expect("WORD", "QUOTED", "NUMBER", what="a column name")
        column = ColumnDef(name.value, self.type_text(), token=name, directive=self.claim(name, "column"))
        column.settings = self.settings()
        return column

    def type_text(self) -> str:
        """A column type as one string: ``[schema.]name[(args)][[]...]``, quotes removed."""
        text = self.expect("WORD", "QUOTED", what="a column type").value
        if self.peek().kind == ".":
            self.next()
            text += "." + self.expect("WORD", "QUOTED", what="a type name").value
        if self.peek().kind == "(":
            self.next()
            args: list[str] = []
            while self.peek().kind != ")":
                token = self.value()
                args.append(token.value)
                if self.peek().kind != ",":
                    break
                self.next()
            self.expect(")", what="',' or ')'")
            text += "(" + ",".join(args) + ")"
        while self.peek().kind == "[" and self.peek(1).kind == "]":
            self.next()
            self.next()
            text += "[]"
        return text

    def lines(self, reader: Any) -> list[Any]:
        self.block_start()
        out: list[Any] = []
        while True:
            self.skip_newlines()
            if self.peek().kind == "}":
                self.next()
                return out
            out.append(reader())
            self.end_of_line()

    def index_line(self) -> IndexDef:
        start = self.peek()
        keys: list[tuple[str, str]] = []
        if start.kind == "(":
            self.next()
            while True:
                keys.append(self.index_key())
                if self.peek().kind != ",":
                    break
                self.next()
            self.expect(")", what="',' or ')'")
        else:
            keys.append(self.index_key())
        return IndexDef(keys, self.settings(), self.claim(start, "index", "unique"), start)

    def index_key(self) -> tuple[str, str]:
        token = self.expect("WORD", "QUOTED", "NUMBER", "EXPR", what="a column name or an `expression`")
        return ("expression" if token.kind == "EXPR" else "column", token.value)

    def check_line(self) -> CheckDef:
        token = self.expect("EXPR", what="an `expression`")
        return CheckDef(token.value, self.settings(), self.claim(token, "check"), token)

    def enum(self) -> EnumDef:
        start = self.next()
        schema, name, _ = self.qualified("an enum name")
        enum = EnumDef(schema, name, [], self.claim(start, "enum"), start)
        self.block_start()
        while True:
            self.skip_newlines()
            if self.peek().kind == "}":
                self.next()
                if not enum.values:
                    raise self.error("an enum needs at least one value", start)
                return enum
            value = self.expect("WORD", "QUOTED", "NUMBER", what="an enum value or '}'")
            enum.values.append((value.value, self.settings()))
            self.end_of_line()

    def ref_statement(self) -> list[RefDef]:
        start = self.next()
        name = self.next().value if self.peek().kind in ("WORD", "QUOTED") else None
        if self.peek().kind == "{":
            self.next()
            refs: list[RefDef] = []
            while True:
                self.skip_newlines()
                if self.peek().kind == "}":
                    self.next()
                    return refs
                refs.append(self.ref_body(name, self.peek()))
                self.end_of_line()
        self.expect(":", what="':' or '{'")
        ref = self.ref_body(name, start)
        self.end_of_line()
        return [ref]

    def ref_body(self, name: str | None, start: Token) -> RefDef:
        left = self.endpoint()
        op = self.expect(">", "<", "-", "<>", what="a relation (>, <, - or <>)")
        right = self.endpoint()
        return RefDef(name, left, op.kind, right, self.settings(), self.claim(start, "relationship"), start)

    def group(self) -> GroupDef:
        start = self.next()
        schema, name, _ = self.qualified("a group name")
        group = GroupDef(f"{schema}.{name}" if schema else name, token=start, directive=self.claim(start, "area"))
        group.settings = self.settings()
        self.block_start()
        while True:
            self.skip_newlines()
            if self.peek().kind == "}":
                self.next()
                return group
            if self.is_word("note") and self.peek(1).kind in (":", "{"):
                self.next()
                group.settings.append(Setting("note", Token("STRING", self.note_body(), 0, 0, 0)))
            else:
                member_schema, member, _ = self.qualified("a table name")
                group.members.append(f"{member_schema}.{member}" if member_schema else member)
            self.end_of_line()

    def sticky_note(self) -> NoteDef:
        start = self.next()
        name = self.name("a note name")
        if self.peek().kind == "[":
            self.settings()
        self.block_start()
        self.skip_newlines()
        text = self.expect("STRING", "QUOTED", what="a string").value
        self.skip_newlines()
        self.expect("}", what="'}'")
        return NoteDef(name.value, text, self.claim(start, "note"), start)
