"""Compile jobs: start one, run it (the Celery task), retry it. Thin over ``designs.compiler.bundle``.

A job compiles one frozen revision, so it is idempotent: the same revision, targets and options give
the same zip, stored once under ``ARTIFACT_DIR/<sha256[:2]>/<sha256>.zip``. Progress is saved on the
job (for polling) and sent to the channel-layer group ``design-<id>`` as ``{"type": "job.progress"}``
(for the live progress bar). A running job beats a heartbeat; if its worker dies, the heartbeat goes
stale and the job becomes retryable instead of staying "running" forever.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from designs.compiler.bundle import DEFAULT_DIALECTS, build_bundle
from designs.compiler.document import Document
from designs.events import tell_design
from designs.models import Artifact, CompileJob, Design, Revision

log = logging.getLogger(__name__)

STALE_AFTER_SECONDS = 60
# delay_seconds (an option) slows a job down so tests can kill its worker mid-job. It is honoured
# only when this environment variable is "1", which the test suite sets for its workers.
TEST_DELAY_ENV = "DBSTUDIO_TEST_DELAYS"


def stale_after() -> float:
    return float(getattr(settings, "DBSTUDIO_JOB_STALE_SECONDS", STALE_AFTER_SECONDS))


def queue_name() -> str:
    return str(getattr(settings, "DBSTUDIO_COMPILE_QUEUE", "celery"))


def is_retryable(job: CompileJob, now: Any = None) -> bool:
    """Failed jobs, and queued/running jobs whose worker stopped beating, may be retried."""
    if job.state == CompileJob.State.FAILED:
        return True
    if job.state == CompileJob.State.SUCCEEDED:
        return False
    now = now or timezone.now()
    last = job.heartbeat_at or job.created_at
    return bool(last and (now - last).total_seconds() > stale_after())


def enqueue(job: CompileJob) -> None:
    """Queue the task once the surrounding transaction commits (so the worker sees the job row)."""
    job_id, attempt, queue = job.pk, job.attempt, queue_name()
    transaction.on_commit(lambda: compile_job.apply_async((job_id, attempt), queue=queue))


def start_job(
    design: Design,
    revision: Revision,
    user: Any,
    targets: list[str] | None = None,
    options: dict[str, Any] | None = None,
) -> CompileJob:
    """Create a job for ``revision`` and queue it."""
    with transaction.atomic():
        job = CompileJob.objects.create(
            design=design,
            revision=revision,
            targets=list(targets or DEFAULT_DIALECTS),
            options=dict(options or {}),
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        enqueue(job)
    job.refresh_from_db()
    return job


def retry_job(job: CompileJob) -> CompileJob:
    """Start the job again as a new attempt; a late message of the old attempt is then ignored."""
    with transaction.atomic():
        locked = CompileJob.objects.select_for_update().get(pk=job.pk)
        if not is_retryable(locked):
            raise ValueError(f"job {job.pk} is {locked.state} and cannot be retried now")
        locked.attempt += 1
        locked.state = CompileJob.State.QUEUED
        locked.progress, locked.step, locked.error = 0, "Queued for retry", ""
        locked.started_at = locked.finished_at = None
        locked.heartbeat_at = timezone.now()
        locked.save()
        enqueue(locked)
    locked.refresh_from_db()
    return locked


def job_event(job: CompileJob) -> dict[str, Any]:
    return {
        "type": "job.progress",
        "job": job.pk,
        "attempt": job.attempt,
        "state": job.state,
        "progress": job.progress,
        "step": job.step,
        "error": job.error,
    }


def _announce(job: CompileJob) -> None:
    tell_design(job.design_id, job_event(job))  # lost: the browser falls back to polling


def _save(job: CompileJob, **fields: Any) -> None:
    fields["heartbeat_at"] = timezone.now()
    for key, value in fields.items():
        setattr(job, key, value)
    CompileJob.objects.filter(pk=job.pk, attempt=job.attempt).update(**fields)
    _announce(job)


def store_artifact(data: bytes) -> Artifact:
    """Write the zip under its content hash (once) and return its row."""
    digest = hashlib.sha256(data).hexdigest()
    artifact = Artifact.objects.filter(sha256=digest).first()
    path = Path(settings.ARTIFACT_DIR) / digest[:2] / f"{digest}.zip"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(path)  # atomic: a reader never sees half a file
    if artifact is None:
        artifact, _ = Artifact.objects.get_or_create(sha256=digest, defaults={"size": len(data)})
    return artifact


def previous_versions(job: CompileJob) -> list[tuple[str, Document]]:
    """Named versions older than the job's revision, oldest first, for the migrations chain."""
    versions = job.design.versions.select_related("revision").filter(revision__number__lt=job.revision.number)
    ordered = sorted(versions, key=lambda v: (v.revision.number, v.created_at))
    return [(v.label, Document.model_validate(v.revision.document)) for v in ordered]


def _meta(job: CompileJob) -> dict[str, Any]:
    revision = job.revision
    version = revision.versions.order_by("created_at").first()
    return {
        "design_id": job.design_id,
        "revision": revision.number,
        "version": version.label if version else f"r{revision.number}",
        "last_updated": revision.created_at.date().isoformat(),
        "status": job.options.get("status", "draft"),
        "targets": list(job.targets),
    }


def _test_delay(job: CompileJob, beat: Callable[[], None]) -> None:
    seconds = float(job.options.get("delay_seconds") or 0)
    if seconds <= 0 or os.environ.get(TEST_DELAY_ENV) != "1":
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
        beat()


def run_job(job_id: int, attempt: int | None = None) -> str:
    """Compile job ``job_id``. Returns what happened: done, skipped or failed."""
    job = CompileJob.objects.select_related("design", "revision").filter(pk=job_id).first()
    if job is None:
        return "skipped: no such job"
    if attempt is not None and job.attempt != attempt:
        return "skipped: superseded by a newer attempt"
    if job.state == CompileJob.State.SUCCEEDED:
        return "skipped: already done"
    worker = f"{socket.gethostname()}:{os.getpid()}"
    _save(
        job,
        state=CompileJob.State.RUNNING,
        started_at=timezone.now(),
        worker=worker,
        progress=5,
        step="Loading revision",
    )
    try:
        doc = Document.model_validate(job.revision.document)
        _test_delay(job, lambda: _save(job, step="Loading revision"))
        extras: dict[str, bytes] = {}
        notes: list[str] = []
        if job.options.get("erd", True):
            _save(job, progress=20, step="Rendering the ERD")
            from designs.compiler.export import export
            from designs.render import render_erd

            extras, notes = render_erd(export(doc, "mermaid").text)
        else:
            notes.append("ERD rendering was turned off for this compile")
        _save(job, progress=60, step="Compiling DDL, models and documents")
        previous = previous_versions(job) if job.options.get("migrations", True) else []
        data = build_bundle(
            doc,
            name=job.design.slug,
            meta=_meta(job),
            previous=previous,
            extras=extras,
            notes=notes,
            dialects=job.targets or DEFAULT_DIALECTS,
        )
        _save(job, progress=90, step="Storing the bundle")
        artifact = store_artifact(data)
        from designs.compiler.bundle import manifest

        _save(
            job,
            state=CompileJob.State.SUCCEEDED,
            progress=100,
            step="Done",
            artifact=artifact,
            warnings=manifest(data)["warnings"],
            finished_at=timezone.now(),
            error="",
        )
        return "done"
    except Exception as exc:
        log.exception("compile job %s failed", job_id)
        message = f"{job.step} failed: {type(exc).__name__}: {exc}"
        _save(job, state=CompileJob.State.FAILED, error=message[:2000], finished_at=timezone.now())
        return "failed"


@shared_task(name="designs.compile_job", acks_late=True, reject_on_worker_lost=True)
def compile_job(job_id: int, attempt: int | None = None) -> str:
    """The Celery task: compile one job (idempotent; safe to run again after a lost worker)."""
    return run_job(job_id, attempt)


def stale_running(now: Any = None) -> list[CompileJob]:
    """Jobs that say queued/running but whose worker stopped beating."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=stale_after())
    return list(CompileJob.objects.filter(state__in=["queued", "running"], heartbeat_at__lt=cutoff))
