"""Mermaid ``erDiagram`` text → design document.

Reads plain Mermaid as people write it and the lossless form ``text/mermaid.py`` prints, whose
``%% @dbstudio <kind> {json}`` comment lines carry what Mermaid cannot say (see docs/mermaid.md).

Three stages:

1. ``_preprocess`` does what Mermaid does before its grammar runs: drop YAML front-matter (its
   ``title`` names the design), ``%%{init}%%`` blocks and ``%%`` comment lines, collecting our
   directive lines. Removed text is blanked, not cut, so positions stay those of the input.
2. ``_Lexer`` and ``_Syntax`` accept what the pinned Mermaid accepts: the lexer applies Mermaid's
   erDiagram token rules in Mermaid's order (the first rule that matches wins, as in Jison), the
   recursive-descent parser follows its grammar, and directives attach to the statement before them.
3. ``build`` turns the statements into a ``Document``: Mermaid states the names, types, keys,
   comments and cardinalities, and a directive's keys replace what the text implies. The printer
   calls the same ``implied_*`` functions, so what it leaves out of a directive is exactly what
   this module will infer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pydantic
import yaml

from ..document import (
    PORTABLE_TYPES,
    AccessPattern,
    Area,
    Column,
    ColumnType,
    Document,
    Enum,
    Grant,
    Model,
    Note,
    Policy,
    Relationship,
    Role,
    Settings,
    Table,
)
from ..validate import check
from .errors import ParseError, position

DIRECTIVE = "@dbstudio"
DIRECTIVE_KINDS = (
    "design", "enum", "table", "column", "relationship", "note", "area", "access_pattern",
    "role", "grant", "policy",
)

# JavaScript's \s and ".", which differ from Python's.
JS_SPACE_CHARS = (
    "\t\n\v\f\r \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
JS_SPACE = re.escape(JS_SPACE_CHARS)
_S = f"[{JS_SPACE}]"
_DOT = "[^\n\r\u2028\u2029]"
_FLAGS = re.IGNORECASE | re.ASCII

_FRONT_MATTER = re.compile(rf"-{{3}}{_S}*[\n\r](.*?)[\n\r]-{{3}}{_S}*[\n\r]+", re.DOTALL)
_COMMENT = re.compile(rf"{_S}*%%(?!\{{)[^\n]+")
_DIRECTIVE_LINE = re.compile(rf"{_S}*%%[ \t]*{DIRECTIVE}(?:[ \t]+([A-Za-z_]+))?[ \t]*(.*)")
# Mermaid's configuration directives, removed (anywhere, even inside comments) before comments are.
_INIT = re.compile(rf"%%\{{{_S}*(?:\w+{_S}*:|\w+){_S}*(?:\w+|(?:(?!\}}%%){_DOT}|\r?\n)*)?{_S}*(?:\}}%%)?", _FLAGS)


@dataclass
class Token:
    kind: str
    text: str
    start: int
    end: int


@dataclass
class Directive:
    kind: str
    data: dict[str, Any]
    line: int
    column: int
    start: int
    ignored: bool = False


@dataclass
class Attribute:
    type_text: str
    name: str
    keys: list[str]
    comment: str | None
    start: int
    directive: Directive | None = None


@dataclass
class Entity:
    label: str
    start: int
    alias: str | None = None
    attributes: list[Attribute] = field(default_factory=list)
    directive: Directive | None = None
    classes: list[str] = field(default_factory=list)


@dataclass
class Link:
    left: str
    left_card: str
    identifying: bool
    right_card: str
    right: str
    label: str
    start: int
    directive: Directive | None = None


@dataclass
class Diagram:
    """The statements of one text, before they become a document."""

    text: str
    title: str | None = None
    acc_title: str | None = None
    acc_descr: str | None = None
    entities: dict[str, Entity] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    styles: list[tuple[list[str], list[str], int]] = field(default_factory=list)
    class_defs: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def error(self, message: str, offset: int, hint: str | None = None) -> ParseError:
        line, column = position(self.text, offset)
        return ParseError(message, line, column, hint)

    def warn(self, message: str, offset: int) -> None:
        line, _ = position(self.text, offset)
        self.warnings.append(f"line {line}: {message}")


@dataclass
class ParseResult:
    document: Document
    warnings: list[str]


def parse_mermaid(text: str, prepare: Callable[[Diagram], None] | None = None) -> ParseResult:
    """Parse Mermaid ``erDiagram`` text into a design document, with warnings for what was ignored.

    Raises ``ParseError`` (1-based line and column) for text the pinned Mermaid would reject and for
    malformed ``%% @dbstudio`` directives. ``prepare`` may adjust the statements before the document
    is built (``text/mermaid_plain.py`` gives plain text the directives of a design it came from).
    """
    diagram = _preprocess(text)
    _Syntax(diagram, _Lexer(diagram).tokens()).parse()
    if prepare is not None:
        prepare(diagram)
    document = build(diagram)
    return ParseResult(document, diagram.warnings)


# -- 1. what Mermaid does before the grammar ---------------------------------------------------


def _blank(text: str, start: int, end: int) -> str:
    """Replace text[start:end] by its newlines only, keeping every later line where it was."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def _preprocess(raw: str) -> Diagram:
    text = re.sub(r"\r\n?", "\n", raw)
    diagram = Diagram(text)
    match = _FRONT_MATTER.match(text)
    if match:
        diagram.title = _front_matter_title(diagram, match.group(1), match.start(1))
        text = _blank(text, 0, match.end())
    for init in list(_INIT.finditer(text)):
        diagram.warn("Mermaid configuration directives (%%{...}%%) are ignored", init.start())
        text = _blank(text, init.start(), init.end())
    offset = 0
    for line_text in text.split("\n"):
        if _COMMENT.fullmatch(line_text):
            directive = _DIRECTIVE_LINE.fullmatch(line_text)
            if directive:
                diagram.directives.append(_directive(diagram, directive, offset))
            text = _blank(text, offset, offset + len(line_text))
        offset += len(line_text) + 1
    diagram.text = text
    return diagram


def _front_matter_title(diagram: Diagram, source: str, start: int) -> str | None:
    try:
        # BaseLoader builds only strings, lists and dicts (no objects), and keeps every scalar a string.
        data = yaml.load(source, Loader=yaml.BaseLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = position(diagram.text, start)
        if mark is not None:
            line, column = line + mark.line, (column if mark.line == 0 else 1) + mark.column
        raise ParseError(f"invalid YAML front-matter: {getattr(exc, 'problem', None) or exc}", line, column) from None
    if isinstance(data, dict) and isinstance(data.get("title"), str) and data["title"] not in ("", "null", "~"):
        return str(data["title"])
    return None


def _directive(diagram: Diagram, match: re.Match[str], offset: int) -> Directive:
    kind, body = match.group(1), match.group(2)
    line, _ = position(diagram.text, offset)
    body_column = match.start(2) + 1
    if kind not in DIRECTIVE_KINDS:
        column = match.start(1) + 1 if kind else body_column
        raise ParseError(
            f"unknown directive kind {kind!r}" if kind else "a directive needs a kind",
            line, column, hint="one of: " + ", ".join(DIRECTIVE_KINDS),
        )
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        message = f"invalid JSON in @dbstudio {kind} directive: {exc.msg}"
        raise ParseError(message, line, body_column + exc.pos) from None
    if not isinstance(data, dict):
        raise ParseError(f"the @dbstudio {kind} directive needs a JSON object", line, body_column)
    return Directive(kind, data, line, body_column, offset)


# -- 2. tokens and grammar ---------------------------------------------------------------------

_CHAR = "CHAR"  # a single character the grammar may name, e.g. "?" or "," inside a block
_STATE_RULES: dict[str, list[tuple[str, str, str | None]]] = {
    # (pattern, token kind or "" to skip, state change: "push:<state>" / "pop")
    "INITIAL": [
        (rf"accTitle{_S}*:{_S}*", "ACC_TITLE", "push:acc_title"),
        (rf"accDescr{_S}*:{_S}*", "ACC_DESCR", "push:acc_descr"),
        (rf"accDescr{_S}*\{{{_S}*", "", "push:acc_descr_multiline"),
        (rf"{_DOT}*direction{_S}+(?:TB|BT|RL|LR)[^\n]*", "DIRECTION", None),
        (r"[ \t\r]+", "", None),
        (r"\n+", "NEWLINE", None),
        (r'"[^"%\r\n\v\x08\\]+"', "ENTITY_NAME", None),
        (r'"[^"]*"', "WORD", None),
        (r"erDiagram\b", "ER_DIAGRAM", None),
        (r"\{", "BLOCK_START", "push:block"),
        (r"#", "BRKT", None),
        (r",", "COMMA", None),
        (r":::", "STYLE_SEPARATOR", None),
        (r":", "COLON", None),
        (r"\[", "SQS", None),
        (r"\]", "SQE", None),
        (r"style\b", "STYLE", "push:style"),
        (r"classDef\b", "CLASSDEF", "push:style"),
        (r"class\b", "CLASS", None),
        (r"subgraph\b", "SUBGRAPH", None),
        (rf"end\b{_S}*", "END", None),
        (r"one or zero\b", "ZERO_OR_ONE", None),
        (r"one or more\b", "ONE_OR_MORE", None),
        (r"one or many\b", "ONE_OR_MORE", None),
        (r"1\+", "ONE_OR_MORE", None),
        (r"\|o\b", "ZERO_OR_ONE", None),
        (r"zero or one\b", "ZERO_OR_ONE", None),
        (r"zero or more\b", "ZERO_OR_MORE", None),
        (r"zero or many\b", "ZERO_OR_MORE", None),
        (r"0\+", "ZERO_OR_MORE", None),
        (r"\}o\b", "ZERO_OR_MORE", None),
        (r"many\(0\)", "ZERO_OR_MORE", None),
        (r"many\(1\)", "ONE_OR_MORE", None),
        (r"many\b", "ZERO_OR_MORE", None),
        (r"\}\|", "ONE_OR_MORE", None),
        (r"one\b", "ONLY_ONE", None),
        (r"only one\b", "ONLY_ONE", None),
        (r"[0-9]+\.[0-9]+", "DECIMAL_NUM", None),
        (rf"1(?={_S}+[A-Za-z_\"'])", "ONLY_ONE", None),
        (rf"1(?={_S}+[0-9])", "ONLY_ONE", None),
        (r"1(?=(?:--|\.\.|\.-|-\.))", "ONLY_ONE", None),
        (r"1\b", "ENTITY_ONE", None),
        (r"[0-9]+", "NUM", None),
        (r"\|\|", "ONLY_ONE", None),
        (r"o\|", "ZERO_OR_ONE", None),
        (r"o\{", "ZERO_OR_MORE", None),
        (r"\|\{", "ONE_OR_MORE", None),
        (r"u(?=[.\-|])", "MD_PARENT", None),
        (r"\.\.", "NON_IDENTIFYING", None),
        (r"--", "IDENTIFYING", None),
        (r"to\b", "IDENTIFYING", None),
        (r"optionally to\b", "NON_IDENTIFYING", None),
        (r"\.-", "NON_IDENTIFYING", None),
        (r"-\.", "NON_IDENTIFYING", None),
        (r"(?:[^\x00-\x7F]|[A-Za-z0-9_]|-|\*|\.)+", "UNICODE_TEXT", None),
        (_DOT, _CHAR, None),
    ],
    "acc_title": [(r"[^\n]*", "ACC_TITLE_VALUE", "pop")],
    "acc_descr": [(r"[^\n]*", "ACC_DESCR_VALUE", "pop")],
    "acc_descr_multiline": [(r"\}", "", "pop"), (r"[^}]*", "ACC_DESCR_MULTILINE_VALUE", None)],
    "block": [
        (rf"{_S}+", "", None),
        (r"(?:PK|FK|UK)\b", "ATTRIBUTE_KEY", None),  # Mermaid's leading \b always holds at a token start
        (rf"[^{JS_SPACE}]*~{_DOT}*~[^{JS_SPACE}]*", "ATTRIBUTE_WORD", None),
        (r"[*A-Za-z_\u00C0-\U0010FFFF][A-Za-z0-9\-_\[\]().,\u00C0-\U0010FFFF*]*", "ATTRIBUTE_WORD", None),
        (r"`", "", "push:block_bq"),
        (r'"[^"]*"', "COMMENT", None),
        (r"\}", "BLOCK_STOP", "pop"),
        (_DOT, _CHAR, None),
    ],
    "block_bq": [(r"[^`]+", "ATTRIBUTE_WORD", None), (r"`", "", "pop")],
    "style": [
        (r"\n+", "NEWLINE", "pop"),
        (rf"{_S}+", "", None),
        (r":", "COLON", None),
        (r",", "COMMA", None),
        (r"#", "BRKT", None),
        (r"(?:[^\x00-\x7F]|[A-Za-z0-9_]|-|\*)+", "STYLE_TEXT", None),
        (r";", "SEMI", None),
    ],
}
_RULES = {
    state: [(re.compile(pattern, _FLAGS), kind, change) for pattern, kind, change in rules]
    for state, rules in _STATE_RULES.items()
}


class _Lexer:
    """Mermaid's erDiagram lexer: per state, the first rule that matches at the position wins."""

    def __init__(self, diagram: Diagram):
        self.diagram = diagram

    def tokens(self) -> list[Token]:
        text = self.diagram.text
        pos = len(text) - len(text.lstrip(JS_SPACE_CHARS))  # Mermaid trims leading whitespace
        if not text.startswith("erDiagram", pos):
            found = text[pos:pos + 20].split("\n")[0] or "the end of the text"
            hint = "the text must start with erDiagram"
            raise self.diagram.error(f"expected 'erDiagram', found {found!r}", pos, hint=hint)
        out: list[Token] = []
        states = ["INITIAL"]
        while pos < len(text):
            for regex, kind, change in _RULES[states[-1]]:
                match = regex.match(text, pos)
                if match is None or (not match.group(0) and change is None):
                    continue
                if kind:
                    value = match.group(0)
                    out.append(Token(value if kind == _CHAR else kind, value, pos, match.end()))
                if change == "pop":
                    states.pop()
                elif change:
                    states.append(change[5:])
                pos = match.end()
                break
            else:
                raise self.diagram.error(f"unexpected character {text[pos]!r}", pos)
        out.append(Token("EOF", "", len(text), len(text)))
        return self._merge_directives(out)

    def _merge_directives(self, tokens: list[Token]) -> list[Token]:
        """Place each directive line in the token stream where it stands in the text."""
        directives = sorted(self.diagram.directives, key=lambda d: d.start)
        merged: list[Token] = []
        index = 0
        for token in tokens:
            while index < len(directives) and (directives[index].start < token.start or token.kind == "EOF"):
                merged.append(Token("DIRECTIVE", str(index), directives[index].start, directives[index].start))
                index += 1
            merged.append(token)
        return merged


CARDINALITIES = {"ZERO_OR_ONE", "ZERO_OR_MORE", "ONE_OR_MORE", "ONLY_ONE", "MD_PARENT"}
_ENTITY_NAMES = {"ENTITY_NAME", "UNICODE_TEXT", "NUM", "DECIMAL_NUM", "ENTITY_ONE"}
_STATEMENT_START = _ENTITY_NAMES | {
    "ACC_TITLE", "ACC_DESCR", "ACC_DESCR_MULTILINE_VALUE", "DIRECTION", "CLASSDEF", "CLASS", "STYLE", "SUBGRAPH",
}
_DESCRIBE = {
    "NEWLINE": "end of line", "EOF": "end of text", "BLOCK_START": "'{'", "BLOCK_STOP": "'}'", "COLON": "':'",
    "SQS": "'['", "SQE": "']'", "STYLE_SEPARATOR": "':::'", "COMMA": "','", "ATTRIBUTE_KEY": "a key (PK, FK, UK)",
    "COMMENT": "a comment", "ATTRIBUTE_WORD": "a word", "END": "'end'",
}


class _Syntax:
    """Recursive descent over Mermaid's erDiagram grammar, filling in a ``Diagram``."""

    def __init__(self, diagram: Diagram, tokens: list[Token]):
        self.diagram = diagram
        self.tokens = tokens
        self.index = 0
        self.last: Entity | Link | None = None

    # token helpers: peek looks past directive lines, take consumes them as stray (the statement
    # loops consume directives between statements themselves, before peeking)

    def peek(self) -> Token:
        index = self.index
        while self.tokens[index].kind == "DIRECTIVE":
            index += 1
        return self.tokens[index]

    def take(self, *kinds: str, what: str | None = None) -> Token:
        token = self.peek()
        if token.kind not in kinds:
            expected = what or " or ".join(_DESCRIBE.get(k, k.lower().replace("_", " ")) for k in kinds)
            raise self.unexpected(token, expected)
        while self.tokens[self.index].kind == "DIRECTIVE":
            directive = self.diagram.directives[int(self.tokens[self.index].text)]
            directive.ignored = True
            self.diagram.warn(f"@dbstudio {directive.kind} directive inside a statement is ignored", directive.start)
            self.index += 1
        self.index += 1
        return token

    def unexpected(self, token: Token, expected: str) -> ParseError:
        found = _DESCRIBE.get(token.kind) or repr(token.text)
        return self.diagram.error(f"expected {expected}, found {found}", token.start)

    # grammar

    def parse(self) -> None:
        self.take("ER_DIAGRAM")
        self._document(in_subgraph=False)
        self.take("EOF")

    def _document(self, in_subgraph: bool) -> None:
        while True:
            token = self.tokens[self.index]
            if token.kind == "DIRECTIVE":
                self.index += 1
                self._attach(self.diagram.directives[int(token.text)], block=None)
            elif token.kind == "NEWLINE":
                self.index += 1
            elif token.kind == "EOF" or (token.kind == "END" and in_subgraph):
                return
            elif token.kind in _STATEMENT_START:
                self._statement()
            else:
                raise self.unexpected(token, "a statement (an entity, a relationship, style, class ...)")

    def _statement(self) -> None:
        token = self.peek()
        kind = token.kind
        if kind in _ENTITY_NAMES:
            self._entity_statement()
            return
        self.last = None
        self.take(kind)
        if kind == "ACC_TITLE":
            self.diagram.acc_title = self.take("ACC_TITLE_VALUE", what="a title").text.strip()
        elif kind == "ACC_DESCR":
            self.diagram.acc_descr = self.take("ACC_DESCR_VALUE", what="a description").text.strip()
        elif kind == "ACC_DESCR_MULTILINE_VALUE":
            self.diagram.acc_descr = token.text.strip()
        elif kind == "CLASSDEF":
            names = self._id_list()
            self.diagram.class_defs.update({name: self._styles() for name in names})
        elif kind == "STYLE":
            names = self._id_list()
            self.diagram.styles.append((names, self._styles(), token.start))
        elif kind == "CLASS":
            names, classes = self._id_list(), self._id_list()
            for name in names:  # like Mermaid, only entities already seen take the class
                if name in self.diagram.entities:
                    self.diagram.entities[name].classes.extend(classes)
        elif kind == "SUBGRAPH":
            self._entity_name()
            if self.peek().kind == "SQS":
                self.take("SQS")
                self._entity_name()
                while self.peek().kind != "SQE":
                    self._entity_name()
                self.take("SQE")
            self._separator()
            self.diagram.warn("subgraphs are not kept; their entities are", token.start)
            self._document(in_subgraph=True)
            self.take("END")
        # a direction statement carries nothing the document keeps

    def _entity_statement(self) -> None:
        name_token = self.peek()
        name = self._entity_name()
        entity = self._entity(name, name_token.start)
        self.last = entity
        alias = None
        if self.peek().kind == "SQS":
            self.take("SQS")
            alias = self._entity_name()
            self.take("SQE")
            entity.alias = alias
        if self.peek().kind == "STYLE_SEPARATOR":
            self.take("STYLE_SEPARATOR")
            entity.classes.extend(self._id_list())
        if alias is None and self.peek().kind in CARDINALITIES:
            self._link(name, name_token)
        elif self.peek().kind == "BLOCK_START":
            self.take("BLOCK_START")
            self._block(entity)

    def _link(self, left: str, left_token: Token) -> None:
        left_card = self.take(*CARDINALITIES, what="a cardinality").kind
        identifying = self.take("IDENTIFYING", "NON_IDENTIFYING", what="'--', '..', 'to' or 'optionally to'").kind
        right_card = self.take(*CARDINALITIES, what="a cardinality").kind
        right_token = self.peek()
        right = self._entity_name()
        self._entity(right, right_token.start)
        if self.peek().kind == "STYLE_SEPARATOR":
            self.take("STYLE_SEPARATOR")
            self.diagram.entities[right].classes.extend(self._id_list())
        self.take("COLON")
        role = self.take("WORD", "ENTITY_NAME", "UNICODE_TEXT", what="a relationship label")
        label = role.text.replace('"', "") if role.kind != "UNICODE_TEXT" else role.text
        link = Link(left, left_card, identifying == "IDENTIFYING", right_card, right, label, left_token.start)
        self.diagram.links.append(link)
        self.last = link

    def _block(self, entity: Entity) -> None:
        last: Attribute | None = None
        while True:
            token = self.tokens[self.index]
            if token.kind == "DIRECTIVE":
                self.index += 1
                directive = self.diagram.directives[int(token.text)]
                if directive.kind == "column":
                    self._set(last, directive, "attribute")
                else:
                    self._attach(directive, block=entity)
                continue
            if token.kind == "BLOCK_STOP":
                self.index += 1
                return
            type_token = self.take("ATTRIBUTE_WORD", "BLOCK_STOP", what="an attribute type or '}'")
            type_text = type_token.text
            if self.peek().kind == "?":
                type_text += self.take("?").text
            attr_name = self.take("ATTRIBUTE_WORD", what="an attribute name").text
            keys: list[str] = []
            if self.peek().kind == "ATTRIBUTE_KEY":
                keys.append(self.take("ATTRIBUTE_KEY").text.upper())
                while self.peek().kind == ",":
                    self.take(",")
                    keys.append(self.take("ATTRIBUTE_KEY").text.upper())
            comment = None
            if self.peek().kind == "COMMENT":
                comment = self.take("COMMENT").text.replace('"', "")
            last = Attribute(type_text, attr_name, keys, comment, type_token.start)
            entity.attributes.append(last)

    def _attach(self, directive: Directive, block: Entity | None) -> None:
        if directive.kind == "table":
            self._set(block or (self.last if isinstance(self.last, Entity) else None), directive, "entity")
        elif directive.kind == "relationship":
            self._set(self.last if isinstance(self.last, Link) and block is None else None, directive, "relationship")
        elif directive.kind == "column":
            self._set(None, directive, "attribute")
        elif block is not None:
            directive.ignored = True
            message = f"@dbstudio {directive.kind} directive inside an entity block is ignored"
            self.diagram.warn(message, directive.start)
        # the other kinds stand alone; build() reads them from diagram.directives

    def _set(self, target: Entity | Link | Attribute | None, directive: Directive, what: str) -> None:
        if target is None or target.directive is not None:
            directive.ignored = True
        if target is None:
            article = "an" if what[0] in "aeiou" else "a"
            self.diagram.warn(f"@dbstudio {directive.kind} directive does not follow {article} {what}; ignored",
                              directive.start)
        elif target.directive is not None:
            self.diagram.warn(f"second @dbstudio {directive.kind} directive for one {what}; ignored", directive.start)
        else:
            target.directive = directive

    def _entity_name(self) -> str:
        token = self.take(*_ENTITY_NAMES, what="an entity name")
        return token.text.replace('"', "") if token.kind == "ENTITY_NAME" else token.text

    def _entity(self, name: str, start: int) -> Entity:
        if name not in self.diagram.entities:
            self.diagram.entities[name] = Entity(name, start)
        return self.diagram.entities[name]

    def _id_list(self) -> list[str]:
        names = [self.take("UNICODE_TEXT", "STYLE_TEXT", what="a name").text]
        while self.peek().kind == "COMMA":
            self.take("COMMA")
            names.append(self.take("UNICODE_TEXT", "STYLE_TEXT", what="a name").text)
        return names

    def _styles(self) -> list[str]:
        styles = [""]
        parts = {"STYLE_TEXT", "NUM", "COLON", "BRKT"}
        styles[-1] += self.take(*parts, what="a style such as fill:#f96").text
        while True:
            kind = self.peek().kind
            if kind in parts:
                styles[-1] += self.take(kind).text
            elif kind == "COMMA":
                self.take("COMMA")
                styles.append(self.take(*parts, what="a style such as fill:#f96").text)
            else:
                break
        self._separator()
        return styles

    def _separator(self) -> None:
        if self.peek().kind != "EOF":
            self.take("SEMI", "NEWLINE", what="end of line")


# -- 3. statements → document -------------------------------------------------------------------

DEFAULT_NAME: str = Document.model_fields["name"].default
CARDINALITY = {
    "ZERO_OR_ONE": "zero_or_one", "ONLY_ONE": "exactly_one", "ZERO_OR_MORE": "zero_or_many",
    "ONE_OR_MORE": "one_or_many", "MD_PARENT": "exactly_one",
}
_MANY = {"zero_or_many", "one_or_many"}
_OBJECT_DIRECTIVES: dict[str, tuple[type[Model], str]] = {
    "enum": (Enum, "enums"), "note": (Note, "notes"), "area": (Area, "areas"),
    "access_pattern": (AccessPattern, "access_patterns"), "role": (Role, "roles"), "grant": (Grant, "grants"),
    "policy": (Policy, "policies"),
}
DESIGN_KEYS = ("name", "description", "settings")

# Mermaid type words → portable type names; anything else becomes a raw type for the target.
TYPE_ALIASES = {
    "int": "integer", "integer": "integer", "int4": "integer", "mediumint": "integer", "smallint": "smallint",
    "int2": "smallint", "tinyint": "smallint", "bigint": "bigint", "int8": "bigint", "long": "bigint",
    "serial": "serial", "serial4": "serial", "bigserial": "bigserial", "serial8": "bigserial",
    "smallserial": "smallserial", "serial2": "smallserial", "string": "text", "str": "text", "text": "text",
    "varchar": "varchar", "character varying": "varchar", "nvarchar": "varchar", "char": "char",
    "character": "char", "nchar": "char", "bool": "boolean", "boolean": "boolean", "date": "date",
    "datetime": "timestamp", "timestamp": "timestamp", "timestamp without time zone": "timestamp",
    "timestamptz": "timestamptz", "timestamp with time zone": "timestamptz", "time": "time",
    "time without time zone": "time", "timetz": "timetz", "time with time zone": "timetz", "float": "double",
    "double": "double", "double precision": "double", "float8": "double", "real": "real", "float4": "real",
    "decimal": "numeric", "numeric": "numeric", "number": "numeric", "blob": "bytea", "binary": "bytea",
    "bytes": "bytea", "varbinary": "bytea", "guid": "uuid",
} | {name: name for name in PORTABLE_TYPES if name not in ("enum", "raw")}
_TYPE = re.compile(r"(?P<name>[^()]*?)\s*(?:\(\s*(?P<args>[^()]*?)\s*\))?\s*(?P<array>(?:\[\])*)")


@dataclass
class Context:
    """What type mapping needs from the rest of the document."""

    target: str = "postgresql"
    enums: dict[str, str] = field(default_factory=dict)  # enum name → id


def slug(text: str) -> str:
    """A readable, deterministic id fragment: the text itself when it is short and plain, else a hash."""
    if re.fullmatch(r"[A-Za-z0-9_]{1,29}", text):
        return text
    import hashlib

    base = re.sub(r"[^A-Za-z0-9_]+", "_", text)[:20].strip("_") or "x"
    return f"{base}_{hashlib.sha1(text.encode('utf-8', 'surrogatepass'), usedforsecurity=False).hexdigest()[:8]}"


def table_slug(name: str, schema: str | None) -> str:
    return slug(f"{schema}.{name}" if schema else name)


def map_type(text: str, ctx: Context) -> tuple[dict[str, Any], str | None]:
    """A Mermaid type word as a document column type, and a warning when it had to become raw SQL."""
    word = text[:-1] if text.endswith("?") else text
    if word in ctx.enums:
        return {"name": "enum", "enum": ctx.enums[word]}, None
    match = _TYPE.fullmatch(word)
    if match:
        name = TYPE_ALIASES.get(re.sub(r"\s+", " ", match.group("name").strip().lower()))
        base = match.group("name").strip()
        data: dict[str, Any] = {"name": name, "array": len(match.group("array")) // 2}
        if name is None and base in ctx.enums and match.group("args") is None:
            data = {"name": "enum", "enum": ctx.enums[base], "array": data["array"]}
        args = [a.strip() for a in match.group("args").split(",")] if match.group("args") is not None else []
        if name == "text" and len(args) == 1:  # string(99) is how Mermaid users write varchar(99)
            data["name"] = name = "varchar"
        if name is not None and _type_args(name, args, data):
            try:
                ColumnType.model_validate(data)
                return data, None
            except pydantic.ValidationError:
                pass
        elif data["name"] == "enum":
            return data, None
    return {"name": "raw", "raw": {ctx.target: word}}, f"type {word!r} is kept as raw SQL for {ctx.target}"


def _type_args(name: str, args: list[str], data: dict[str, Any]) -> bool:
    if not args:
        return True
    if not all(re.fullmatch(r"-?[0-9]{1,9}", a) for a in args):
        return False
    params = PORTABLE_TYPES[name]
    if "length" in params and len(args) == 1:
        data["length"] = int(args[0])
    elif "scale" in params and len(args) in (1, 2):
        data["precision"] = int(args[0])
        if len(args) == 2:
            data["scale"] = int(args[1])
            if not 0 <= data["scale"] <= data["precision"]:
                return False
    elif params == {"precision"} and len(args) == 1:
        data["precision"] = int(args[0])
    else:
        return False
    return True


def implied_column(
    type_text: str, name: str, keys: list[str], comment: str | None, tslug: str, ctx: Context
) -> dict[str, Any]:
    """The column an attribute line states, before its directive: PK columns are NOT NULL."""
    return {
        "id": f"c_{tslug}.{slug(name)}", "name": name, "type": map_type(type_text, ctx)[0],
        "nullable": "PK" not in keys, "comment": comment or None,
    }


def table_name(label: str, directive: dict[str, Any]) -> tuple[str, str | None]:
    """(name, schema) of an entity. With a schema in the directive, ``sales.orders`` splits at the first dot."""
    if "name" in directive:
        return directive["name"], directive.get("schema")
    if directive.get("schema") is not None and "." in label:
        schema, name = label.split(".", 1)
        return name, schema
    return label, directive.get("schema")


def implied_table(name: str, schema: str | None, columns: list[Column], keys: list[list[str]]) -> dict[str, Any]:
    """The table an entity block states, before its directive: keys PK and UK make the key and uniques."""
    tslug = table_slug(name, schema)
    primary = [c.id for c, k in zip(columns, keys, strict=True) if "PK" in k]
    return {
        "id": f"t_{tslug}", "name": name, "schema": schema, "primary_key": {"columns": primary} if primary else None,
        "uniques": [{"id": f"u_{tslug}.{slug(c.name)}", "columns": [c.id]} for c, k in zip(columns, keys, strict=True)
                    if "UK" in k],
    }


def implied_relationship(link: Link, tables: dict[str, Table], plain: bool) -> dict[str, Any]:
    """The relationship a Mermaid line states. The printer writes parent first, so the right entity is the
    child; plain text may write it either way, so there the many side is the child."""
    left, right = CARDINALITY[link.left_card], CARDINALITY[link.right_card]
    parent, child, parent_card, child_card = tables[link.left], tables[link.right], left, right
    if plain and left in _MANY and right not in _MANY:
        parent, child, parent_card, child_card = child, parent, right, left
    return {
        "id": f"r_{slug(child.name)}_{slug(parent.name)}", "from_table": child.id, "to_table": parent.id,
        "from_cardinality": child_card, "to_cardinality": parent_card, "identifying": link.identifying,
        "label": link.label or None, "from_columns": [], "to_columns": [],
    }


def build(diagram: Diagram) -> Document:
    """Turn parsed statements and directives into a document; report what could not be kept as warnings."""
    ctx = Context()
    top = [d for d in diagram.directives if not d.ignored and d.kind not in ("table", "column", "relationship")]
    data: dict[str, Any] = {"name": diagram.title or diagram.acc_title or DEFAULT_NAME,
                            "description": diagram.acc_descr}
    for directive in [d for d in top if d.kind == "design"][:1]:
        unknown = sorted(set(directive.data) - set(DESIGN_KEYS))
        if unknown:
            raise ParseError(f"the design directive takes only {', '.join(DESIGN_KEYS)}, not {unknown[0]!r}",
                             directive.line, directive.column, hint="tables, enums ... have their own lines")
        data.update(directive.data)
        ctx.target = _validated(Settings, data.get("settings") or {}, diagram, directive).target
    lists: dict[str, list[Any]] = {}
    for directive in top:
        if directive.kind in _OBJECT_DIRECTIVES:
            model, key = _OBJECT_DIRECTIVES[directive.kind]
            lists.setdefault(key, []).append(_validated(model, directive.data, diagram, directive))
    ctx.enums = {e.name: e.id for e in lists.get("enums", [])}
    colors = _colors(diagram)
    tables = {label: _table(diagram, entity, ctx, colors.get(label)) for label, entity in diagram.entities.items()}
    _dedupe_table_names(diagram, list(tables.values()))
    relationships: list[Relationship] = []
    seen_ids: set[str] = set()
    for link in diagram.links:
        relationships.append(_relationship(diagram, link, tables, seen_ids))
    data |= {
        "tables": list(tables.values()), "relationships": relationships,
        "security": {k: lists.pop(k, []) for k in ("roles", "grants", "policies")},
    } | lists
    try:
        document = Document.model_validate(data)
    except pydantic.ValidationError as exc:
        raise diagram.error(f"invalid design: {_first_error(exc)}", 0) from None
    for problem in check(document):
        diagram.warnings.append(f"design problem: {problem}")
    return document


def _validated(model: type[Any], data: Any, diagram: Diagram, where: Directive | int) -> Any:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        message = _first_error(exc)
        if isinstance(where, Directive):
            raise ParseError(f"invalid @dbstudio {where.kind} directive: {message}", where.line, where.column) from None
        raise diagram.error(message, where) from None
    except (TypeError, ValueError) as exc:  # e.g. a directive value of the wrong JSON type deep inside
        line, column = (where.line, where.column) if isinstance(where, Directive) else position(diagram.text, where)
        raise ParseError(str(exc), line, column) from None


def _first_error(exc: pydantic.ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    path = ".".join(str(p) for p in error["loc"])
    return f"{path}: {error['msg']}" if path else str(error["msg"])


def _table(diagram: Diagram, entity: Entity, ctx: Context, color: str | None) -> Table:
    directive = entity.directive.data if entity.directive else {}
    where: Directive | int = entity.directive or entity.start
    if "columns" in directive:
        raise ParseError("a table directive cannot hold columns; they are the attribute lines", *_at(diagram, where))
    name, schema = table_name(entity.alias or entity.label, directive)
    if not isinstance(name, str) or not (schema is None or isinstance(schema, str)):
        raise ParseError("a table's name and schema are strings", *_at(diagram, where))
    tslug = table_slug(name, schema)
    columns: list[Column] = []
    keys: list[list[str]] = []
    seen: set[str] = set()
    for attr in entity.attributes:
        data = implied_column(attr.type_text, attr.name, attr.keys, attr.comment, tslug, ctx)
        warning = map_type(attr.type_text, ctx)[1]
        if attr.directive:
            data.update(attr.directive.data)
        elif warning:
            diagram.warn(warning, attr.start)
        column = _validated(Column, data, diagram, attr.directive or attr.start)
        if column.name.lower() in seen:
            diagram.warn(f"attribute {column.name!r} appears twice in {name!r}; the second is dropped", attr.start)
            continue
        seen.add(column.name.lower())
        columns.append(column)
        keys.append(attr.keys)
    data = implied_table(name, schema, columns, keys) | {"color": color}
    data.update({k: v for k, v in directive.items() if k not in ("name", "schema")})
    data["columns"] = columns
    return _validated(Table, data, diagram, where)


def _at(diagram: Diagram, where: Directive | int) -> tuple[int, int]:
    return (where.line, where.column) if isinstance(where, Directive) else position(diagram.text, where)


def _dedupe_table_names(diagram: Diagram, tables: list[Table]) -> None:
    seen: set[tuple[str | None, str]] = set()
    for table in tables:
        name = table.name
        n = 1
        while (table.schema_, name) in seen:
            n += 1
            name = f"{table.name}_{n}"
        if name != table.name:
            diagram.warnings.append(f"two entities are named {table.name!r}; the second is renamed {name!r}")
            table.name = name
        seen.add((table.schema_, name))


def _relationship(diagram: Diagram, link: Link, tables: dict[str, Table], seen_ids: set[str]) -> Relationship:
    plain = link.directive is None
    data = implied_relationship(link, tables, plain)
    if "MD_PARENT" in (link.left_card, link.right_card):
        diagram.warn("the 'u' cardinality is read as exactly one", link.start)
    base, n = data["id"], 1
    while data["id"] in seen_ids:
        n += 1
        data["id"] = f"{base}_{n}"
    if plain:
        child = next(t for t in tables.values() if t.id == data["from_table"])
        parent = next(t for t in tables.values() if t.id == data["to_table"])
        if data["from_cardinality"] in _MANY and data["to_cardinality"] in _MANY:
            diagram.warn(f"{link.left} and {link.right} are many-to-many; a join table is needed", link.start)
        child_label = link.right if child.id == tables[link.right].id else link.left
        pairs = _infer_columns(child, parent, diagram.entities[child_label])
        if pairs:
            data["from_columns"], data["to_columns"] = [c for c, _ in pairs], [p for _, p in pairs]
        else:
            diagram.warn(f"no FK attribute of {child.name!r} matches the key of {parent.name!r}; "
                         "the relationship has no columns yet", link.start)
    else:
        data.update(link.directive.data if link.directive else {})
    relationship = _validated(Relationship, data, diagram, link.directive or link.start)
    seen_ids.add(relationship.id)
    return relationship


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _infer_columns(child: Table, parent: Table, child_entity: Entity) -> list[tuple[str, str]]:
    """Pair the child's FK attributes with the parent's key by name: ``customer_id`` → customer.id."""
    if not parent.primary_key:
        return []
    fk_names = {a.name for a in child_entity.attributes if "FK" in a.keys}
    fks = {_norm(c.name): c.id for c in child.columns if c.name in fk_names}
    pairs: list[tuple[str, str]] = []
    for key_id in parent.primary_key.columns:
        key = parent.column(key_id)
        assert key is not None
        names = {parent.name, parent.name.rstrip("sS")}
        candidates = [n + key.name for n in names] + ([key.name] if _norm(key.name) != "id" else [])
        match = next((fks[_norm(c)] for c in candidates if _norm(c) in fks), None)
        if match is None or match in [c for c, _ in pairs]:
            return []
        pairs.append((match, key_id))
    return pairs


def _colors(diagram: Diagram) -> dict[str, str]:
    """Fill colours from ``style`` lines and classes; other styling is not part of a design."""
    def fill(styles: list[str]) -> str | None:
        for style in styles:
            match = re.fullmatch(r"fill:#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})", style)
            if match:
                value = match.group(1).lower()
                return "#" + (value if len(value) == 6 else "".join(ch * 2 for ch in value))
        return None

    colors: dict[str, str] = {}
    for label, entity in diagram.entities.items():
        for cls in entity.classes:
            color = fill(diagram.class_defs.get(cls, []))
            if color:
                colors[label] = color
    for names, styles, start in diagram.styles:
        color = fill(styles)
        for name in names:
            if color and name in diagram.entities:
                colors[name] = color
        if any(not s.startswith("fill:") for s in styles):
            diagram.warn("Mermaid styles other than a fill colour are not kept", start)
    return colors
