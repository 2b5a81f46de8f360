"""How fast ``emit(doc, dialect)`` turns a big design into DDL, against SQLAlchemy in the same process.

    python bench/ddl_compile.py                 # 1,000 tables, 5 repetitions, every dialect
    python bench/ddl_compile.py --tables 200 --repeat 3

The design comes from ``bench/synthetic.py`` (seed 1): 1,000 tables, 12,000 columns, 1,500 foreign
keys, 2,000 indexes. It is validated once, outside every timed region. Per dialect, three timings:

* **ours**: ``emit(doc, dialect)``, everything: document → MetaData → every statement.
* **compile**: SQLAlchemy compiling ``CreateTable``/``AddConstraint``/``CreateIndex`` for every element of a
  MetaData built beforehand, untimed (the elements our emitter builds, so the statements are ours).
* **build+compile**: plain SQLAlchemy building that MetaData from a precomputed spec of plain tuples
  (``sa.Table``/``sa.Column``/constraints, no design logic), then compiling it.

Both references are checked to produce exactly our statements before anything is timed. Medians
of ``--repeat`` rounds of process CPU time; see ``timed``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable  # noqa: E402
from sqlalchemy.sql import operators  # noqa: E402
from sqlalchemy.sql.elements import UnaryExpression  # noqa: E402

from bench.synthetic import count, design  # noqa: E402
from bench.timing import timed  # noqa: E402
from designs.compiler.ddl import DIALECTS, EMITTERS, emit  # noqa: E402
from designs.compiler.ddl.base import Emitter  # noqa: E402

TARGET = 1.5


def compile_all(emitter: Emitter, tables: list[sa.Table], fks: list[Any], indexes: list[sa.Index]) -> list[str]:
    """The reference: SQLAlchemy's DDL compiler over every element, in our script's order."""
    dialect = emitter.dialect
    inline: list[sa.ForeignKeyConstraint] | None = None if emitter.fks_inline else []
    out = [str(CreateTable(t, include_foreign_key_constraints=inline).compile(dialect=dialect)).strip() for t in tables]
    out += [str(CreateIndex(ix).compile(dialect=dialect)).strip() for ix in indexes]
    out += [str(AddConstraint(fk).compile(dialect=dialect)).strip() for fk in fks]
    return out


# ---- plain SQLAlchemy: a spec of tuples → MetaData ------------------------------------------------


def spec_of(emitter: Emitter) -> dict[str, Any]:
    """What a hand-written SQLAlchemy model would state, taken from the elements our emitter built."""
    tables = []
    for t in emitter.tables.values():
        columns = []
        for c in t.columns:
            default = c.server_default.arg if isinstance(c.server_default, sa.DefaultClause) else None
            identity = c.identity is not None
            autoincrement = c.autoincrement if not identity else "auto"
            columns.append((c.name, c.key, c.type, c.nullable, default, identity, autoincrement, c.comment))
        constraints: list[tuple[str, Any, Any]] = []
        for k in sorted(t.constraints, key=lambda k: k._creation_order):  # the order CREATE TABLE lists them
            if isinstance(k, sa.ForeignKeyConstraint):
                continue
            if isinstance(k, sa.CheckConstraint):
                constraints.append(("check", k.name, str(k.sqltext)))
            else:
                kind = "pk" if isinstance(k, sa.PrimaryKeyConstraint) else "unique"
                assert isinstance(k, sa.PrimaryKeyConstraint | sa.UniqueConstraint)
                constraints.append((kind, k.name, [c.key for c in k.columns]))
        tables.append((t.name, t.schema, columns, constraints, dict(t.dialect_kwargs), t.comment))
    fks = [
        (
            fk.name,
            fk.table.name,
            [c.key for c in fk.columns],
            fk.referred_table.name,
            [e.column.key for e in fk.elements],
            fk.ondelete,
            fk.onupdate,
            fk.use_alter,
        )
        for _, fk in emitter.foreign_keys
    ]
    indexes = []
    for _, ix in emitter.indexes:
        assert ix.table is not None
        keys: list[tuple[Any, bool]] = []
        for expression in ix.expressions:
            if isinstance(expression, sa.Column):
                keys.append((expression.key, False))
            else:  # the synthetic design only has plain and DESC keys
                assert isinstance(expression, UnaryExpression) and expression.modifier is operators.desc_op
                keys.append((expression.element.key, True))
        indexes.append((ix.name, ix.table.name, keys, ix.unique, dict(ix.dialect_kwargs)))
    return {"tables": tables, "fks": fks, "indexes": indexes}


def build_plain(spec: dict[str, Any]) -> tuple[list[sa.Table], list[Any], list[sa.Index]]:
    metadata = sa.MetaData()
    by_name: dict[str, sa.Table] = {}
    for name, schema, columns, constraints, kwargs, comment in spec["tables"]:
        built = []
        for cname, key, ctype, nullable, default, identity, autoincrement, ccomment in columns:
            args = [sa.Identity()] if identity else []
            server_default = None if default is None else sa.DefaultClause(default)
            built.append(
                sa.Column(
                    cname,
                    ctype,
                    *args,
                    key=key,
                    nullable=nullable,
                    server_default=server_default,
                    autoincrement=autoincrement,
                    comment=ccomment,
                )
            )
        table = sa.Table(name, metadata, *built, schema=schema, comment=comment, **kwargs)
        for kind, cname, what in constraints:
            if kind == "pk":
                table.append_constraint(sa.PrimaryKeyConstraint(*[table.c[k] for k in what], name=cname))
            elif kind == "unique":
                table.append_constraint(sa.UniqueConstraint(*[table.c[k] for k in what], name=cname))
            else:
                table.append_constraint(sa.CheckConstraint(sa.literal_column(what), name=cname))
        by_name[name] = table
    fks = []
    for name, child, local, parent, remote, ondelete, onupdate, use_alter in spec["fks"]:
        c, p = by_name[child], by_name[parent]
        fk = sa.ForeignKeyConstraint(
            [c.c[k] for k in local],
            [p.c[k] for k in remote],
            name=name,
            ondelete=ondelete,
            onupdate=onupdate,
            use_alter=use_alter,
        )
        c.append_constraint(fk)
        fks.append(fk)
    indexes = []
    for name, table_name, keys, unique, kwargs in spec["indexes"]:
        t = by_name[table_name]
        parts = [t.c[k].desc() if desc else t.c[k] for k, desc in keys]
        indexes.append(sa.Index(name, *parts, unique=unique, _table=t, **kwargs))
    return list(by_name.values()), fks, indexes


# ---- the run -------------------------------------------------------------------------------------


def run(dialect: str, doc: Any, repeat: int) -> dict[str, float]:
    ours = emit(doc, dialect)
    emitter = EMITTERS[dialect](doc)
    fks = [] if emitter.fks_inline else [fk for _, fk in emitter.foreign_keys]
    indexes = [ix for _, ix in emitter.indexes]
    tables = list(emitter.tables.values())
    reference = compile_all(emitter, tables, fks, indexes)
    preamble = len(emitter.preamble())
    if ours.statements[preamble:] != reference:
        raise SystemExit(f"{dialect}: the reference statements differ from ours; the comparison would be unfair")
    spec = spec_of(emitter)

    def plain() -> list[str]:
        built_tables, built_fks, built_indexes = build_plain(spec)
        return compile_all(emitter, built_tables, [] if emitter.fks_inline else built_fks, built_indexes)

    if plain() != reference:
        raise SystemExit(f"{dialect}: plain SQLAlchemy builds different statements; the comparison would be unfair")
    rounds = timed(
        {
            "ours": lambda: emit(doc, dialect),
            "compile": lambda: compile_all(emitter, tables, fks, indexes),
            "build+compile": plain,
        },
        repeat,
    )
    result = {name: statistics.median(r[name] for r in rounds) for name in rounds[0]}
    # The median of each round's ratio: both sides of a ratio ran under the same load.
    for against in ("compile", "build+compile"):
        result[f"ratio {against}"] = statistics.median(r["ours"] / r[against] for r in rounds)
    result["statements"] = len(reference)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", type=int, default=1000, help="tables (columns, FKs, indexes scale along)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dialect", choices=DIALECTS, action="append", help="default: every dialect")
    args = parser.parse_args(argv)
    scale = args.tables / 1000
    doc = design(
        tables=args.tables,
        columns=int(12_000 * scale),
        foreign_keys=int(1_500 * scale),
        indexes=int(2_000 * scale),
        seed=1,
    )
    size = count(doc)
    print(
        f"design: {size['tables']} tables, {size['columns']} columns, {size['foreign_keys']} foreign keys, "
        f"{size['indexes']} indexes; median of {args.repeat} rounds, CPU seconds; Python {platform.python_version()}, "
        f"SQLAlchemy {sa.__version__}"
    )
    columns = ("dialect", "stmts", "ours s", "compile s", "ratio", "build+compile s", "ratio")  # CPU seconds
    header = "{:<11} {:>6} {:>8} {:>10} {:>6} {:>16} {:>6}".format(*columns)
    print(header)
    print("-" * len(header), flush=True)
    for dialect in args.dialect or DIALECTS:
        r = run(dialect, doc, args.repeat)
        print(
            f"{dialect:<11} {int(r['statements']):>6} {r['ours']:>8.3f} {r['compile']:>10.3f} "
            f"{r['ratio compile']:>5.2f}x {r['build+compile']:>16.3f} {r['ratio build+compile']:>5.2f}x",
            flush=True,
        )
    print(
        f"\nratio = ours / reference (target <= {TARGET}x). 'compile' times SQLAlchemy compiling a MetaData built "
        "beforehand;\n'build+compile' also builds that MetaData with plain SQLAlchemy calls, as emit() must."
    )


if __name__ == "__main__":
    main()
