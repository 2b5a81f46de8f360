"""Compile jobs over the API, with Celery eager (the embedded default): roles, states, downloads, retries."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from designs.models import CompileJob, Design
from designs.tasks import run_job

from .conftest import token_client

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "designs"
NO_ERD = {"options": {"erd": False}}


@pytest.fixture
def shop(team: dict[str, Any]) -> dict[str, Any]:
    design: Design = team["design"]
    data = json.loads((FIXTURES / "ecommerce.json").read_text())
    design.save_document(data, author=team["users"]["owner"], message="ecommerce")
    return team


def post(client: Client, path: str, body: Any = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def compile_now(client: Client, design_id: int, body: Any, capture: Callable[..., Any]) -> Any:
    with capture(execute=True):
        response = post(client, f"/api/designs/{design_id}/compile", body)
    return response


@pytest.mark.parametrize(
    ("role", "status"), [("owner", 202), ("editor", 202), ("commenter", 403), ("viewer", 403), ("stranger", 404)]
)
def test_only_editors_and_owners_start_a_compile(
    shop: dict[str, Any], role: str, status: int, django_capture_on_commit_callbacks: Any
) -> None:
    client = token_client(shop["users"][role])
    response = compile_now(client, shop["design"].pk, NO_ERD, django_capture_on_commit_callbacks)
    assert response.status_code == status, response.content


def test_a_compile_finishes_and_its_zip_downloads(
    shop: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = token_client(shop["users"]["editor"])
    job = compile_now(client, shop["design"].pk, NO_ERD, django_capture_on_commit_callbacks).json()
    got = client.get(f"/api/jobs/{job['id']}").json()
    assert (got["state"], got["progress"], got["step"]) == ("succeeded", 100, "Done")
    viewer = token_client(shop["users"]["viewer"])
    response = viewer.get(got["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(data).hexdigest() == got["sha256"]
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert any(n.endswith("/schema/postgresql.sql") for n in names)
    assert any("ERD rendering was turned off" in w for w in got["warnings"])


def test_a_stranger_cannot_see_or_download_a_job(shop: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    job = compile_now(
        token_client(shop["users"]["owner"]), shop["design"].pk, NO_ERD, django_capture_on_commit_callbacks
    ).json()
    stranger = token_client(shop["users"]["stranger"])
    assert stranger.get(f"/api/jobs/{job['id']}").status_code == 404
    assert stranger.get(f"/api/jobs/{job['id']}/download").status_code == 404


def test_the_same_revision_compiles_to_the_same_stored_zip(
    shop: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = token_client(shop["users"]["owner"])
    first = compile_now(client, shop["design"].pk, NO_ERD, django_capture_on_commit_callbacks).json()
    second = compile_now(client, shop["design"].pk, NO_ERD, django_capture_on_commit_callbacks).json()
    a, b = (client.get(f"/api/jobs/{j['id']}").json() for j in (first, second))
    assert a["sha256"] == b["sha256"] is not None
    assert CompileJob.objects.get(pk=a["id"]).artifact_id == CompileJob.objects.get(pk=b["id"]).artifact_id
    listed = client.get(f"/api/designs/{shop['design'].pk}/jobs").json()
    assert [j["id"] for j in listed] == [b["id"], a["id"]]


def test_a_download_before_the_job_finishes_is_a_conflict(shop: dict[str, Any]) -> None:
    # Without running on-commit callbacks the task never runs: the job stays queued.
    client = token_client(shop["users"]["owner"])
    job = post(client, f"/api/designs/{shop['design'].pk}/compile", NO_ERD).json()
    assert job["state"] == "queued"
    response = client.get(f"/api/jobs/{job['id']}/download")
    assert response.status_code == 409
    assert "queued" in response.json()["detail"]


def test_a_failed_job_shows_its_error_and_a_retry_completes(
    shop: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = token_client(shop["users"]["owner"])
    job = compile_now(client, shop["design"].pk, NO_ERD, django_capture_on_commit_callbacks).json()
    row = CompileJob.objects.get(pk=job["id"])
    # Break the frozen revision the way a bad stored document would.
    revision = row.revision
    good = revision.document
    type(revision).objects.filter(pk=revision.pk).update(document={"tables": "not a list"})
    CompileJob.objects.filter(pk=row.pk).update(state="queued", artifact=None)
    assert run_job(row.pk) == "failed"
    failed = client.get(f"/api/jobs/{row.pk}").json()
    assert failed["state"] == "failed" and failed["retryable"]
    assert "Loading revision failed: ValidationError" in failed["error"]
    type(revision).objects.filter(pk=revision.pk).update(document=good)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"/api/jobs/{row.pk}/retry")
    assert response.status_code == 202
    done = client.get(f"/api/jobs/{row.pk}").json()
    assert (done["state"], done["attempt"], done["error"]) == ("succeeded", 2, "")


def test_a_finished_job_cannot_be_retried(shop: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    client = token_client(shop["users"]["owner"])
    job = compile_now(client, shop["design"].pk, NO_ERD, django_capture_on_commit_callbacks).json()
    assert post(client, f"/api/jobs/{job['id']}/retry").status_code == 409


def test_a_running_job_with_a_stale_heartbeat_is_retryable(shop: dict[str, Any], settings: Any) -> None:
    client = token_client(shop["users"]["owner"])
    job = post(client, f"/api/designs/{shop['design'].pk}/compile", NO_ERD).json()
    CompileJob.objects.filter(pk=job["id"]).update(state="running")
    assert client.get(f"/api/jobs/{job['id']}").json()["retryable"] is False
    settings.DBSTUDIO_JOB_STALE_SECONDS = -1
    assert client.get(f"/api/jobs/{job['id']}").json()["retryable"] is True


def test_a_compile_of_a_missing_revision_is_404(shop: dict[str, Any]) -> None:
    client = token_client(shop["users"]["owner"])
    assert post(client, f"/api/designs/{shop['design'].pk}/compile", {"revision": 999}).status_code == 404


def test_unknown_targets_are_rejected(shop: dict[str, Any]) -> None:
    client = token_client(shop["users"]["owner"])
    response = post(client, f"/api/designs/{shop['design'].pk}/compile", {"targets": ["oracle"]})
    assert response.status_code == 422


def test_the_index_strategy_is_listed_and_accepted_with_one_call(shop: dict[str, Any]) -> None:
    design = shop["design"]
    viewer = token_client(shop["users"]["viewer"])
    strategy = viewer.get(f"/api/designs/{design.pk}/index-strategy").json()
    recs = strategy["recommendations"]
    assert recs and all(r["serves"] and r["reason"] for r in recs)
    assert post(viewer, f"/api/designs/{design.pk}/index-strategy/accept", {"ids": [recs[0]["id"]]}).status_code == 403
    editor = token_client(shop["users"]["editor"])
    response = post(editor, f"/api/designs/{design.pk}/index-strategy/accept", {"ids": [r["id"] for r in recs]})
    assert response.status_code == 200, response.content
    design.refresh_from_db()
    assert response.json()["revision"] == design.revision_number
    after = viewer.get(f"/api/designs/{design.pk}/index-strategy").json()
    assert after["recommendations"] == []
    assert post(editor, f"/api/designs/{design.pk}/index-strategy/accept", {"ids": ["ix_nope"]}).status_code == 422


def test_the_index_strategy_of_an_unsaved_document_gives_each_index_in_document_form(shop: dict[str, Any]) -> None:
    design = shop["design"]
    viewer = token_client(shop["users"]["viewer"])
    document = dict(design.document)
    response = post(viewer, f"/api/designs/{design.pk}/index-strategy", {"document": document})
    assert response.status_code == 200, response.content
    live = response.json()
    stored = viewer.get(f"/api/designs/{design.pk}/index-strategy").json()
    assert live["revision"] is None
    assert [r["id"] for r in live["recommendations"]] == [r["id"] for r in stored["recommendations"]]
    # Adding every recommendation's `index` to its table (what the editor does on Accept) leaves
    # nothing more to recommend, and the document stays valid.
    tables = {t["id"]: t for t in document["tables"]}
    for rec in live["recommendations"]:
        assert rec["index"]["id"] == rec["id"] and rec["index"]["columns"]
        table = tables[rec["table_id"]]
        kept = [i for i in table.get("indexes", []) if i["id"] not in rec["replaces"]]
        table["indexes"] = [*kept, rec["index"]]
    after = post(viewer, f"/api/designs/{design.pk}/index-strategy", {"document": document}).json()
    assert after["recommendations"] == []
    # Nothing was stored.
    design.refresh_from_db()
    assert design.revision_number == stored["revision"]


@pytest.mark.parametrize(("role", "status"), [("viewer", 200), ("stranger", 404)])
def test_the_index_strategy_of_a_document_checks_the_role(shop: dict[str, Any], role: str, status: int) -> None:
    client = token_client(shop["users"][role])
    body = {"document": shop["design"].document}
    assert post(client, f"/api/designs/{shop['design'].pk}/index-strategy", body).status_code == status


def test_the_index_strategy_of_an_invalid_document_names_the_field(shop: dict[str, Any]) -> None:
    client = token_client(shop["users"]["viewer"])
    body = {"document": {"format": 1, "tables": [{"id": "t1"}]}}
    response = post(client, f"/api/designs/{shop['design'].pk}/index-strategy", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"].startswith("document")
