"""The SQLAlchemy and Django model exports build the same schema as the DDL, on a real PostgreSQL.

For every fixture design: the DDL script runs on one scratch database, the generated SQLAlchemy module's
``Base.metadata.create_all()`` on a second, and the generated Django ``models.py`` goes through
``makemigrations`` + ``migrate`` in a scratch project (one subprocess for all fixtures, each fixture its
own app, see ``models/django_runner.py``). All three are read back with SQLAlchemy's inspector
(``models/snapshot.py``) and compared: tables, columns (name, nullability, type family), primary keys,
foreign keys (columns, targets, actions), unique constraints, indexes (name, columns) and enum types.
A difference passes only when ``KNOWN_DIFFERENCES`` below explains it. No fixture is skipped: every
fixture's tables are expressible in both targets, and what is not (partitions, triggers, ...) is a
known difference or DDL-only.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from designs.compiler.ddl import EMITTERS, emit
from designs.compiler.document import Document
from designs.compiler.text.django_models import print_django
from designs.compiler.text.pyident import Call, Identifiers, Str, literal, pascal, render, snake
from designs.compiler.text.sqlalchemy_models import print_sqlalchemy
from tests.compiler.ddl.conftest import FIXTURES, fixture, run_script
from tests.compiler.models.snapshot import differences, from_json, reset, snapshot
from tests.services import scratch_postgres

ROOT = Path(__file__).resolve().parents[2]
Key = tuple[str, ...]


def _audit_table(doc: Document, key: Key) -> bool:
    return any(t.options.audit for t in doc.tables) and key[2] == doc.settings.audit_table


def _partition(doc: Document, key: Key) -> bool:
    return any(key[2] == p.name for t in doc.tables if t.partitioning for p in t.partitioning.partitions)


def _unsafe_name(doc: Document, key: Key) -> bool:
    """The object's name (or a name built from one) holds a " or %, which the Django export replaces."""
    names = [n for t in doc.tables for n in [t.name, *(c.name for c in t.columns), *(i.name or "" for i in t.indexes),
                                             *(k.name or "" for k in t.checks), *(u.name or "" for u in t.uniques)]]
    names += [r.name or "" for r in doc.relationships]
    replaced = [n.replace('"', "_").replace("%", "_") for n in names if '"' in n or "%" in n]
    return any('"' in part or "%" in part or any(r in part for r in replaced) for part in key[1:] if part)


def _composite_fk(doc: Document, key: Key) -> bool:
    for rel in doc.relationships:
        parent = doc.table(rel.to_table)
        to_composite = bool(parent and parent.primary_key and len(parent.primary_key.columns) > 1)
        composite = len(rel.from_columns) > 1 or to_composite
        child = doc.table(rel.from_table)
        if composite and child and key[2] == child.name:
            return True
    return False


def _plain_unique_index(doc: Document, key: Key) -> bool:
    return any(
        i.unique and not i.where and not i.include and all(k.column and not k.opclass for k in i.columns)
        for t in doc.tables
        for i in t.indexes
        if key[2] == t.name
    )


def _enum_column(doc: Document, key: Key, expected: Any, got: Any) -> bool:
    return isinstance(expected, tuple) and expected[1:] == ("enum",) and got is not None and got[1:] == ("string",)


def _no_primary_key(doc: Document, key: Key) -> bool:
    return key[0] in ("primary key", "primary key name", "column") and any(
        not t.primary_key and key[2] == t.name for t in doc.tables
    )


# (target, kind of difference, when it applies): why it is the target's nature, not the exporter's fault.
KNOWN_DIFFERENCES: list[tuple[str, str, Callable[..., bool], str]] = [
    ("*", "*", _audit_table, "the audit table belongs to the audit triggers, which are DDL-only"),
    ("django", "*", _partition, "Django cannot declare partitions; the partitioned table is a plain one"),
    ("django", "primary key name", lambda d, k: True, "Django names primary keys <table>_pkey itself"),
    ("django", "foreign key name", lambda d, k: True, "Django names foreign key constraints itself"),
    ("django", "foreign key actions", lambda d, k: True, "Django 5.2 emulates ON DELETE in Python; DB says NO ACTION"),
    ("django", "enum", lambda d, k: True, "Django has no enum types (varchar with choices)"),
    ("django", "column", _enum_column, "an enum column is varchar with choices in Django"),
    ("django", "*", _composite_fk, "Django has no composite foreign keys, nor keys to a composite primary key"),
    ("django", "index", _plain_unique_index, "Django makes a plain unique index a unique constraint"),
    ("django", "unique", _plain_unique_index, "Django makes a plain unique index a unique constraint"),
    ("django", "*", _no_primary_key, "every Django model has a primary key; the exporter picks one (warned)"),
    ("django", "*", _unsafe_name, 'Django mishandles " and % in names, so the exporter replaces them (warned)'),
]


def known(target: str, doc: Document, diff: tuple[Any, ...]) -> bool:
    key, expected, got = diff
    for who, kind, applies, _why in KNOWN_DIFFERENCES:
        if who in ("*", target) and kind in ("*", key[0]):
            args = (doc, key, expected, got) if applies is _enum_column else (doc, key)
            if applies(*args):
                return True
    return False


def unexplained(target: str, doc: Document, expected: dict[Key, Any], got: dict[Key, Any]) -> list[tuple[Any, ...]]:
    return [d for d in differences(expected, got) if not known(target, doc, d)]


# ---- the three databases -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def engines() -> Iterator[dict[str, sa.Engine]]:
    """Two scratch databases, emptied between fixtures (far quicker than a database per fixture)."""
    with scratch_postgres("models") as ddl_url, scratch_postgres("models") as sa_url:
        made = {
            "ddl": sa.create_engine(ddl_url, poolclass=sa.NullPool),
            "sqlalchemy": sa.create_engine(sa_url, poolclass=sa.NullPool),
        }
        yield made
        for engine in made.values():
            engine.dispose()


_ddl_snapshots: dict[str, dict[Key, Any]] = {}


def ddl_snapshot(name: str, engine: sa.Engine) -> dict[Key, Any]:
    if name not in _ddl_snapshots:
        reset(engine)
        run_script(engine, emit(fixture(name), "postgresql").statements)
        _ddl_snapshots[name] = snapshot(engine)
    return _ddl_snapshots[name]


def import_module(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"dbstudio_export_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # SQLAlchemy resolves annotations through sys.modules
    try:
        spec.loader.exec_module(module)
        sa.orm.configure_mappers()
    finally:
        sys.modules.pop(spec.name, None)
    return module


@pytest.fixture(scope="module")
def django_snapshots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every fixture as an app of one scratch Django project, migrated in one subprocess."""
    project = tmp_path_factory.mktemp("djproject")
    prepare: dict[str, list[str]] = {}
    for name in FIXTURES:
        app = f"fx_{name}"
        (project / app).mkdir()
        (project / app / "__init__.py").write_text("")
        (project / app / "models.py").write_text(print_django(fixture(name), app_label=app).text)
        emitter = EMITTERS["postgresql"](fixture(name))
        prepare[app] = emitter.extensions() + emitter.create_schemas()  # what a DBA runs before migrate
    (project / "prepare.json").write_text(json.dumps(prepare))
    with scratch_postgres("models") as url:
        db = sa.make_url(url)
        database = {"ENGINE": "django.db.backends.postgresql", "NAME": db.database, "USER": db.username,
                    "PASSWORD": db.password or "", "HOST": db.host, "PORT": db.port or 5432}
        settings = [
            "SECRET_KEY = 'scratch'",
            f"INSTALLED_APPS = {sorted(prepare)!r}",
            f"DATABASES = {{'default': {database!r}}}",
            "USE_TZ = True",
            "DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'",
            "SILENCED_SYSTEM_CHECKS = ['models.E034']  # index names longer than 30, as the exporter warns",
        ]
        (project / "settings.py").write_text("\n".join(settings) + "\n")
        out = project / "snapshots.json"
        run = subprocess.run(
            [sys.executable, "-m", "tests.compiler.models.django_runner", str(project), url, str(out)],
            cwd=ROOT, capture_output=True, text=True, timeout=240, check=False,
        )
        assert run.returncode == 0 and out.exists(), run.stderr
    return {"project": project, **json.loads(out.read_text())}


# ---- tests -------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
@pytest.mark.parametrize("name", FIXTURES)
def test_sqlalchemy_models_create_the_same_schema_as_the_ddl(
    name: str, engines: dict[str, sa.Engine], tmp_path: Path
) -> None:
    doc = fixture(name)
    expected = ddl_snapshot(name, engines["ddl"])
    path = tmp_path / f"sa_{name}.py"
    path.write_text(print_sqlalchemy(doc).text, encoding="utf-8")
    module = import_module(path)
    reset(engines["sqlalchemy"])
    module.Base.metadata.create_all(engines["sqlalchemy"])
    assert unexplained("sqlalchemy", doc, expected, snapshot(engines["sqlalchemy"])) == []


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
@pytest.mark.parametrize("name", FIXTURES)
def test_django_models_migrate_to_the_same_schema_as_the_ddl(
    name: str, engines: dict[str, sa.Engine], django_snapshots: dict[str, Any]
) -> None:
    doc = fixture(name)
    expected = ddl_snapshot(name, engines["ddl"])
    result = django_snapshots[f"fx_{name}"]
    assert "error" not in result, result.get("error")
    assert unexplained("django", doc, expected, from_json(result["snapshot"])) == []


@pytest.mark.parametrize("name", FIXTURES)
def test_every_export_compiles_and_passes_ruff(name: str, tmp_path: Path) -> None:
    doc = fixture(name)
    files = {"sa_models.py": print_sqlalchemy(doc).text, "models.py": print_django(doc, app_label="app").text}
    for dialect in ("mysql", "sqlite"):
        files[f"sa_{dialect}.py"] = print_sqlalchemy(doc, dialect).text
    for filename, text in files.items():
        compile(text, filename, "exec")
        (tmp_path / filename).write_text(text, encoding="utf-8")
    run = subprocess.run(
        [str(Path(sys.executable).with_name("ruff")), "check", "--config", str(ROOT / "pyproject.toml"), str(tmp_path)],
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
@pytest.mark.parametrize("name", FIXTURES)
def test_every_sqlalchemy_relationship_has_its_other_side(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"rel_{name}.py"
    path.write_text(print_sqlalchemy(fixture(name)).text, encoding="utf-8")
    module = import_module(path)
    for mapper in module.Base.registry.mappers:
        for prop in mapper.relationships:
            other = prop.mapper.relationships[prop.back_populates]
            assert other.back_populates == prop.key and other.mapper is mapper


def test_a_self_reference_and_a_cycle_get_remote_side_and_foreign_keys() -> None:
    composite = print_sqlalchemy(fixture("composite_keys")).text
    assert "parent: Mapped[Category | None] = relationship(back_populates='children', remote_side=[id])" in composite
    cycles = print_sqlalchemy(fixture("cycles")).text
    assert "foreign_keys=[department_id]" in cycles and "foreign_keys='[Employee.department_id]'" in cycles
    assert "use_alter=True" in cycles


@pytest.mark.parametrize(
    ("name", "style", "expected"),
    [
        ("display_name", snake, "display_name"),
        ("Display Name", snake, "display_name"),
        ("MixedCase", snake, "mixed_case"),
        ("100% done", snake, "field_100_done"),
        ('x"; DROP TABLE y; --', snake, "x_drop_table_y"),
        ("prénom", snake, "prenom"),
        ("order_items", pascal, "OrderItems"),
        ("Ünïcode Schema", pascal, "UnicodeSchema"),
    ],
)
def test_identifiers_are_ascii_snake_or_pascal_case(name: str, style: Callable[[str], str], expected: str) -> None:
    assert style(name) == expected


@pytest.mark.parametrize("name", ["名前", "prénom_名前", "x" * 300, "", "---"])
def test_an_unwritable_or_long_name_becomes_a_short_valid_identifier(name: str) -> None:
    for made in (snake(name), pascal(name)):
        assert made.isidentifier() and made.isascii() and len(made) <= 32


def test_keywords_and_taken_names_get_a_suffix() -> None:
    names = Identifiers(["metadata"])
    assert [names.claim(n) for n in ("class", "metadata", "user", "user", "user")] == [
        "class_", "metadata_", "user", "user_", "user_2",
    ]


@pytest.mark.parametrize("value", ['x"; DROP TABLE y; --', "it's \\ \n\t", "名前\u202e", "a'b\"c", "%s {x}"])
def test_a_literal_reads_back_as_the_same_string_and_is_ascii(value: str) -> None:
    written = literal(value)
    assert written.isascii() and ast.literal_eval(written) == value


def test_a_long_string_is_split_over_lines_that_fit() -> None:
    text = render(Call("mapped_column", [], [("comment", Str("word " * 60))]), 4, 40)
    assert all(len(line) <= 120 for line in text.splitlines())
    assert ast.literal_eval(text.split("comment=", 1)[1].rsplit(",", 1)[0]) == "word " * 60


def test_hostile_names_reach_the_code_only_as_literals() -> None:
    for text in (print_sqlalchemy(fixture("hostile")).text, print_django(fixture("hostile")).text):
        tree = ast.parse(text)
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
        assert all(n.isascii() and n.isidentifier() for n in names)
        assert "DROP" not in " ".join(names)


def test_django_export_replaces_a_double_quote_and_says_so() -> None:
    result = print_django(fixture("hostile"))
    assert 'x"; DROP' not in result.text
    assert any(w.object_id == "c_order_inj" and "becomes" in w.message for w in result.warnings)
    assert any(w.object_id == "t_inj" for w in result.warnings)


@pytest.mark.parametrize(
    ("printer", "name", "object_id", "words"),
    [
        (print_sqlalchemy, "security", "po_own", "not part of the models"),
        (print_sqlalchemy, "triggers_audit", "t_acct", "trigger"),
        (print_django, "partitions", "t_events", "partitioning"),
        (print_django, "enums", "c_orders_status", "enum"),
        (print_django, "composite_keys", "r_bins_wh", "composite"),
        (print_django, "blog", "r_posts_author", "ON DELETE"),
    ],
)
def test_what_a_target_cannot_express_is_a_warning_naming_the_object(
    printer: Callable[[Document], Any], name: str, object_id: str, words: str
) -> None:
    warnings = printer(fixture(name)).warnings
    assert any(w.object_id == object_id and words in w.message for w in warnings), warnings


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
def test_nothing_inside_a_hostile_identifier_executes_in_create_all(
    engines: dict[str, sa.Engine], tmp_path: Path
) -> None:
    path = tmp_path / "hostile_sa.py"
    path.write_text(print_sqlalchemy(fixture("hostile")).text, encoding="utf-8")
    module = import_module(path)
    engine = engines["sqlalchemy"]
    reset(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE y (id INTEGER)"))
    module.Base.metadata.create_all(engine)
    assert "y" in sa.inspect(engine).get_table_names()
