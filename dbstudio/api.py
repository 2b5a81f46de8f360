"""The project's NinjaAPI: authentication, and every error mapped once to a JSON body.

Errors are always JSON: ``{"detail": "message"}``, or for invalid input
``{"detail": [{"path": "tables[2].columns[0].type", "message": "..."}]}`` with status 422.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from designs.api import DocumentInvalid
from designs.api import router as designs_router
from designs.comments_api import router as comments_router
from designs.compiler.document import json_schema
from designs.compiler.validate import json_path
from designs.diff_api import router as diff_router
from designs.import_api import router as import_router
from designs.jobs_api import router as jobs_router
from designs.models import ApiToken
from designs.review_api import router as review_router
from designs.sharing_api import router as sharing_router
from designs.text_api import router as text_router

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer dbs_...`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return ApiToken.authenticate(token)


class SessionAuth(APIKeyCookie):
    """The browser's Django session. Writes need the CSRF token (``X-CSRFToken`` header)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # Unlike ninja's own SessionAuth, CSRF is checked only once a session is found, so a
        # request with no credentials at all gets 401, not a confusing CSRF 403.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie")
        return user


api = NinjaAPI(
    title="DB Studio API",
    version="1",
    description="Design databases together. Authenticate with a session or `Authorization: Bearer <token>`.",
    auth=[TokenAuth(), SessionAuth()],
)
# The import router goes first: its /designs/import must win over the designs router's /designs/{design_id}.
api.add_router("/", import_router)
api.add_router("/", designs_router)
api.add_router("/", text_router)
api.add_router("/", review_router)
api.add_router("/", diff_router)
api.add_router("/", jobs_router)
api.add_router("/", comments_router)
api.add_router("/", sharing_router)


def error(request: HttpRequest, status: int, detail: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(DocumentInvalid)
def on_document_invalid(request: HttpRequest, exc: DocumentInvalid) -> HttpResponse:
    def full(path: str) -> str:
        if not exc.prefix:
            return path
        return f"{exc.prefix}.{path}" if path and not path.startswith("[") else f"{exc.prefix}{path}"

    return error(request, 422, [{"path": full(p.path), "message": p.message} for p in exc.problems])


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    items = []
    for err in exc.errors:
        loc = list(err.get("loc", ()))
        # ninja prefixes the location with where the value came from and the parameter name.
        if loc and loc[0] in ("body", "query", "path", "header", "cookie", "form", "file"):
            source = loc.pop(0)
            if source == "body" and loc and loc[0] == "payload":
                loc.pop(0)
        items.append({"path": json_path(loc), "message": err.get("msg", "invalid")})
    return error(request, 422, items)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error(request, 401, "Authentication required: log in, or send Authorization: Bearer <token>")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error(request, exc.status_code, str(exc.message))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(request, 404, "Not found")


@api.exception_handler(ObjectDoesNotExist)
def on_does_not_exist(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(request, 404, "Not found")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(request, 403, "Permission denied")


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("Unhandled API error on %s %s", request.method, request.path)
    return error(request, 500, "Internal error; it has been logged")


_openapi_schema = api.get_openapi_schema


def openapi_with_document_schema(*args: Any, **kwargs: Any) -> Any:
    """Publish the design document's JSON Schema as a component, referenced by PUT /document."""
    schema = _openapi_schema(*args, **kwargs)
    document = json_schema()
    defs = document.pop("$defs", {})
    for key in ("$schema", "$id"):
        document.pop(key, None)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    rewritten = _rewrite_refs({"DesignDocument": document, **{f"DesignDocument_{k}": v for k, v in defs.items()}})
    components.update(rewritten)
    return schema


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (v.replace("#/$defs/", "#/components/schemas/DesignDocument_") if k == "$ref" else _rewrite_refs(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


api.get_openapi_schema = openapi_with_document_schema  # type: ignore[method-assign]
