"""Compile jobs, bundle downloads and the index strategy, over HTTP. Thin over ``designs.tasks``.

Roles: starting a compile or a retry needs **editor**, because it spends worker time and produces
files in the team's name, the same bar as changing the design; reading jobs and downloading bundles
needs **viewer**, because a bundle holds nothing a viewer cannot already read through the document
and export endpoints. Accepting index recommendations changes the design, so it needs editor.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.http import FileResponse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from designs.api import ERRORS, ApiRequest, checked_document
from designs.compiler.document import Document
from designs.compiler.review.index_strategy import accept, recommend_indexes, redundant_indexes, serving_index
from designs.models import CompileJob, Design, Role
from designs.permissions import design_for
from designs.schemas import ErrorOut
from designs.tasks import is_retryable, retry_job, start_job

router = Router(tags=["compile"])

Target = Literal["postgresql", "mysql", "sqlite"]


class CompileOptions(Schema):
    erd: bool = Field(default=True, description="render docs/erd.svg and docs/erd.png (needs Chromium on the worker)")
    migrations: bool = Field(default=True, description="include an Alembic project built from the named versions")
    status: str = Field(default="draft", max_length=40, description="the design document's status in its front matter")
    delay_seconds: float = Field(default=0, ge=0, le=120, description="test-only slowdown; ignored in production")


class CompileIn(Schema):
    targets: list[Target] | None = Field(default=None, min_length=1, description="schema dialects; all when omitted")
    options: CompileOptions | None = None
    revision: int | None = Field(default=None, description="revision number; the latest when omitted")


class JobOut(Schema):
    id: int
    design: int
    revision: int
    targets: list[str]
    options: dict[str, Any]
    state: str
    progress: int
    step: str
    error: str
    warnings: list[str]
    retryable: bool
    attempt: int
    sha256: str | None
    size: int | None
    download_url: str | None
    created_by: str | None
    created_at: Any
    started_at: Any
    finished_at: Any


class StrategyIn(Schema):
    document: dict[str, Any] = Field(description="the design document to analyse (the editor's live copy)")


class AcceptIn(Schema):
    ids: list[str] = Field(min_length=1)


def job_out(job: CompileJob) -> dict[str, Any]:
    artifact = job.artifact
    ready = job.state == CompileJob.State.SUCCEEDED and artifact is not None
    return {
        "id": job.pk,
        "design": job.design_id,
        "revision": job.revision.number,
        "targets": job.targets,
        "options": job.options,
        "state": job.state,
        "progress": job.progress,
        "step": job.step,
        "error": job.error,
        "warnings": job.warnings,
        "retryable": is_retryable(job),
        "attempt": job.attempt,
        "sha256": artifact.sha256 if ready and artifact else None,
        "size": artifact.size if ready and artifact else None,
        "download_url": f"/api/jobs/{job.pk}/download" if ready else None,
        "created_by": job.created_by.get_username() if job.created_by else None,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def job_for(user: Any, job_id: int, needed: Role) -> CompileJob:
    """The job, if the user has ``needed`` on its design (non-members get 404, like designs)."""
    job = CompileJob.objects.select_related("revision", "artifact", "created_by").filter(pk=job_id).first()
    if job is None:
        raise HttpError(404, "Job not found")
    try:
        design_for(user, job.design_id, needed)
    except HttpError as exc:
        raise HttpError(404, "Job not found") if exc.status_code == 404 else exc from None
    return job


@router.post("/designs/{design_id}/compile", response={202: JobOut, **ERRORS})
def compile_design(request: ApiRequest, design_id: int, payload: CompileIn | None = None) -> Status[dict[str, Any]]:
    """Start compiling a revision (the latest by default) into a bundle; poll the job or watch the websocket."""
    payload = payload or CompileIn()
    design, _ = design_for(request.auth, design_id, Role.EDITOR)
    number = payload.revision or design.revision_number
    revision = design.revisions.filter(number=number).first()
    if revision is None:
        raise HttpError(404, f"Revision {number} not found")
    options = (payload.options or CompileOptions()).model_dump()
    job = start_job(design, revision, request.auth, list(payload.targets or []), options)
    return Status(202, job_out(job))


@router.get("/designs/{design_id}/jobs", response={200: list[JobOut], **ERRORS})
def list_jobs(request: ApiRequest, design_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """Past compiles of a design, newest first: the list of bundles to download."""
    design, _ = design_for(request.auth, design_id, Role.VIEWER)
    jobs = design.compile_jobs.select_related("revision", "artifact", "created_by")[: max(1, min(limit, 200))]
    return [job_out(j) for j in jobs]


@router.get("/jobs/{job_id}", response={200: JobOut, **ERRORS})
def get_job(request: ApiRequest, job_id: int) -> dict[str, Any]:
    return job_out(job_for(request.auth, job_id, Role.VIEWER))


@router.get(
    "/jobs/{job_id}/download",
    response={200: None, 409: ErrorOut, **ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "the bundle",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_job(request: ApiRequest, job_id: int) -> FileResponse:
    """The bundle zip; 409 while the job is not finished."""
    job = job_for(request.auth, job_id, Role.VIEWER)
    artifact = job.artifact
    if job.state != CompileJob.State.SUCCEEDED or artifact is None:
        raise HttpError(409, f"The bundle is not ready: the job is {job.state}")
    if not artifact.path.exists():
        raise HttpError(409, "The bundle file is missing on the server; retry the compile")
    design = Design.objects.only("slug").get(pk=job.design_id)
    response = FileResponse(
        artifact.path.open("rb"),
        content_type="application/zip",
        as_attachment=True,
        filename=f"{design.slug}-r{job.revision.number}.zip",
    )
    response["ETag"] = f'"{artifact.sha256}"'
    return response


@router.post("/jobs/{job_id}/retry", response={202: JobOut, 409: ErrorOut, **ERRORS})
def retry(request: ApiRequest, job_id: int) -> Status[dict[str, Any]]:
    """Run a failed job again, or one whose worker died (its heartbeat went stale)."""
    job = job_for(request.auth, job_id, Role.EDITOR)
    try:
        job = retry_job(job)
    except ValueError as exc:
        raise HttpError(409, str(exc)) from None
    return Status(202, job_out(job))


def strategy_out(doc: Document, revision: int | None) -> dict[str, Any]:
    """The index strategy of ``doc``; each recommendation carries ``index``, the index in document form."""
    recs = recommend_indexes(doc)
    return {
        "revision": revision,
        "recommendations": [{**r.to_json(), "index": r.to_index()} for r in recs],
        "redundant": [f.__dict__ for f in redundant_indexes(doc)],
        "serving": {k: {"table_id": t, "index_id": i} for k, (t, i) in serving_index(doc, recs).items()},
    }


@router.get("/designs/{design_id}/index-strategy", response={200: dict[str, Any], **ERRORS})
def index_strategy(request: ApiRequest, design_id: int) -> dict[str, Any]:
    """Recommended indexes (with the FK or pattern each serves), doubtful existing ones, and what serves what."""
    design, _ = design_for(request.auth, design_id, Role.VIEWER)
    return strategy_out(Document.model_validate(design.document), design.revision_number)


@router.post("/designs/{design_id}/index-strategy", response={200: dict[str, Any], **ERRORS})
def index_strategy_of_document(request: ApiRequest, design_id: int, payload: StrategyIn) -> dict[str, Any]:
    """The index strategy of the editor's live copy of the design (unsaved edits included); nothing is stored.

    The editor accepts a recommendation by adding its ``index`` to its own document, so the change is
    undoable and saved like any other edit instead of racing the editor's next save.
    """
    design_for(request.auth, design_id, Role.VIEWER)
    doc = Document.model_validate(checked_document(payload.document, prefix="document"))
    return strategy_out(doc, None)


@router.post("/designs/{design_id}/index-strategy/accept", response={200: dict[str, Any], **ERRORS})
def accept_indexes(request: ApiRequest, design_id: int, payload: AcceptIn) -> dict[str, Any]:
    """Add the recommended indexes ``ids`` to the design (one new revision); unknown ids are a 422."""
    design, _ = design_for(request.auth, design_id, Role.EDITOR)
    with transaction.atomic():
        doc = Document.model_validate(design.document)
        try:
            data = accept(design.document, payload.ids, doc)
        except KeyError as exc:
            raise HttpError(422, f"Unknown recommendation ids: {exc.args[0]}") from None
        document = checked_document(data)
        revision = design.save_document(document, author=request.auth, message="Accepted recommended indexes")
    return {"revision": revision.number, "accepted": payload.ids}
