"""Compile jobs on real Celery workers over the local Redis, the way production runs them.

1. ``celery.contrib.testing.worker.start_worker`` in this process: a fixture design compiles into a zip
   whose SQL runs on its engines, whose dictionary names every table and column, whose ERD is a valid
   SVG naming every table, and whose sha256 is the same on a second run.
2. A worker in a subprocess is killed (SIGKILL) in the middle of a job: the job is left retryable,
   and a retry on a fresh worker completes.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from designs.compiler.bundle import read_bundle
from designs.compiler.validate import load
from designs.models import CompileJob, Design
from designs.render import chromium_path
from designs.tasks import start_job
from tests.compiler.test_bundle import check_scripts_execute
from tests.services import redis_url

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "designs"
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def wait_for(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def redis_worker(settings: Any, transactional_db: Any) -> Iterator[Celery]:
    """A Celery app on Redis (not eager) with one real worker thread consuming a queue of our own."""
    from celery import current_app

    previous = current_app._get_current_object()
    app = Celery("dbstudio-test-worker", set_as_current=True)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=redis_url(), result_backend=redis_url(), task_always_eager=False)
    import designs.tasks  # noqa: F401 - registers the shared task on the new app

    queue = f"dbs-jobs-{secrets.token_hex(4)}"
    settings.DBSTUDIO_COMPILE_QUEUE = queue
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30, loglevel="WARNING"
        ):
            yield app
    finally:
        previous.set_current()
        previous.set_default()


def compile_on_worker(design: Design, user: Any) -> CompileJob:
    job = start_job(design, design.revisions.first(), user, options={"erd": True})  # type: ignore[arg-type]
    wait_for(lambda: CompileJob.objects.get(pk=job.pk).state in ("succeeded", "failed"), 180, "the compile")
    job.refresh_from_db()
    assert job.state == "succeeded", job.error
    return job


@pytest.mark.skipif(chromium_path() is None, reason="needs Chromium to render the ERD")
def test_a_real_worker_compiles_a_fixture_into_a_reproducible_bundle(redis_worker: Celery, make_user: Any) -> None:
    owner = make_user("architect")
    data = json.loads((FIXTURES / "ecommerce.json").read_text())
    design = Design.create(owner=owner, name="Shop", document=data)
    doc = load(data)
    first = compile_on_worker(design, owner)
    assert first.artifact is not None
    zipped = first.artifact.path.read_bytes()
    files = read_bundle(zipped)

    check_scripts_execute(files, doc)
    dictionary = files["docs/data_dictionary.md"].decode()
    for table in doc.tables:
        assert f"## {table.name}" in dictionary
        for column in table.columns:
            assert f"| {column.name} |" in dictionary
    svg = ET.fromstring(files["docs/erd.svg"])  # noqa: S314 - our own output, parsed to prove it is XML
    assert svg.tag.endswith("svg")
    text = " ".join("".join(e.itertext()) for e in svg.iter())
    assert [t.name for t in doc.tables if t.name not in text] == []
    assert files["docs/erd.png"].startswith(b"\x89PNG")
    assert not any("ERD not rendered" in w for w in first.warnings)

    second = compile_on_worker(design, owner)
    assert second.pk != first.pk
    assert second.artifact is not None and second.artifact.sha256 == first.artifact.sha256
    assert zipfile.ZipFile(io.BytesIO(zipped)).testzip() is None


# --- a worker killed mid-job ------------------------------------------------------------------------

SETUP = """
import json
from django.conf import settings
from django.contrib.auth.models import User
from designs.models import Design
from designs.tasks import start_job
settings.DBSTUDIO_COMPILE_QUEUE = {queue!r}
user = User.objects.create_user("killer")
design = Design.create(owner=user, name="Shop", document=json.loads(open({fixture!r}).read()))
job = start_job(design, design.revisions.first(), user, options={{"erd": False, "delay_seconds": {delay}}})
print(job.pk)
"""

RETRY = """
import time
from django.conf import settings
from designs.models import CompileJob
from designs.tasks import is_retryable, retry_job
settings.DBSTUDIO_COMPILE_QUEUE = {queue!r}
settings.DBSTUDIO_JOB_STALE_SECONDS = 2
job = CompileJob.objects.get(pk={job})
time.sleep(3)
job.refresh_from_db()
print(job.state, is_retryable(job))
retry_job(job)
"""


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def start_celery(env: dict[str, str], queue: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "dbstudio",
            "worker",
            "-Q",
            queue,
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def job_row(db: Path, job_id: int) -> tuple[str, int, int | None]:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT state, attempt, artifact_id FROM designs_compilejob WHERE id = ?", (job_id,)
        ).fetchone()
    return row[0], row[1], row[2]


def test_a_worker_killed_mid_job_leaves_it_retryable_and_a_retry_completes(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(
        DBSTUDIO_DATA_DIR=str(tmp_path),
        REDIS_URL=redis_url(),
        DBSTUDIO_TEST_DELAYS="1",
        DJANGO_SETTINGS_MODULE="dbstudio.settings",
    )
    queue = f"dbs-jobs-kill-{secrets.token_hex(4)}"
    log = tmp_path / "worker.log"
    manage(env, "migrate", "--noinput", "-v", "0")
    db = next(tmp_path.glob("*.sqlite3"))
    job_id = int(
        manage(env, "shell", "-c", SETUP.format(queue=queue, fixture=str(FIXTURES / "blog.json"), delay=8))
        .strip()
        .splitlines()[-1]
    )
    worker = start_celery(env, queue, log)
    try:
        wait_for(lambda: job_row(db, job_id)[0] == "running", 90, "the worker to start the job")
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert job_row(db, job_id)[0] == "running"  # what a crash leaves behind
    out = manage(env, "shell", "-c", RETRY.format(queue=queue, job=job_id))
    assert out.strip().splitlines()[-1] == "running True", out
    assert job_row(db, job_id)[:2] == ("queued", 2)
    worker = start_celery(env, queue, log)
    try:
        state = wait_for(
            lambda: job_row(db, job_id)[0] in ("succeeded", "failed") and job_row(db, job_id),
            120,
            "the retry to finish",
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
    assert state[0] == "succeeded", log.read_text()[-3000:]
    assert state[2] is not None
    assert list((tmp_path / "artifacts").glob("*/*.zip"))
