"""Run in a subprocess by test_model_exports: makemigrations + migrate each fixture app of a scratch project.

Usage: ``python -m tests.compiler.models.django_runner PROJECT_DIR DATABASE_URL OUT.json``. The project
holds ``settings.py`` and one package per fixture app; ``PROJECT_DIR/prepare.json`` maps each app to
the statements a DBA runs first (extensions and schemas, which models cannot create). Each app is
migrated into the emptied database, read back, and its snapshot (or error) written to OUT.json.
A subprocess, so these settings never meet the main project's test settings.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path


def main(project: Path, url: str, out: Path) -> None:
    sys.path.insert(0, str(project))
    os.environ["DJANGO_SETTINGS_MODULE"] = "settings"
    import django
    import sqlalchemy as sa
    from django.core.management import call_command
    from django.db import connections

    from tests.compiler.models.snapshot import reset, snapshot, to_json

    django.setup()
    prepare: dict[str, list[str]] = json.loads((project / "prepare.json").read_text())
    results: dict[str, object] = {}
    try:
        call_command("makemigrations", *prepare, verbosity=0)
    except BaseException:
        results = {app: {"error": traceback.format_exc()} for app in prepare}
        out.write_text(json.dumps(results))
        return
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    for app, statements in prepare.items():
        connections.close_all()
        reset(engine)
        try:
            with engine.begin() as conn:
                for statement in statements:
                    conn.exec_driver_sql(statement)
            call_command("migrate", app, verbosity=0)
            connections.close_all()
            results[app] = {"snapshot": to_json(snapshot(engine))}
        except BaseException:
            results[app] = {"error": traceback.format_exc()}
    engine.dispose()
    out.write_text(json.dumps(results))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
