"""The import page: a schema file, pasted text or a live database becomes a new design, without JavaScript.

The design list opens the same form in a dialog (``frontend/src/import-dialog.ts``), which posts to the
JSON API (``designs/import_api.py``) to show progress; this view is what the form does when scripts
are off, and both call the same compiler functions, so they accept and reject the same input.
The connection URL is used once for reading; it is never stored, logged or rendered back.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from designs.api import DocumentInvalid, checked_document
from designs.compiler.importing import MAX_BYTES, import_bytes, summarize_warnings
from designs.compiler.parse.errors import ParseError
from designs.models import Design

SOURCES = [("file", "Upload a file"), ("text", "Paste text"), ("url", "Database URL")]
FORMATS = [
    ("", "Detect automatically"),
    ("postgres", "PostgreSQL DDL"),
    ("mysql", "MySQL / MariaDB DDL"),
    ("sqlite", "SQLite DDL"),
    ("mermaid", "Mermaid erDiagram"),
    ("dbml", "DBML"),
    ("json", "DB Studio JSON"),
]
ACCEPT = ".sql,.ddl,.mmd,.mermaid,.md,.dbml,.json,.txt,text/plain,application/sql,application/json"


def exact_postgres_url() -> str | None:
    """The PostgreSQL server exact imports run on (``IMPORT_EXACT_POSTGRES_URL``), if one is configured."""
    return getattr(settings, "IMPORT_EXACT_POSTGRES_URL", None) or None


def check_introspect_url(url: str) -> None:
    """Refuse a ``sqlite:`` URL unless this server may open its own files for its users.

    A SQLite "database URL" is a path on the server: in a shared deployment it would let any member read
    the schema of any SQLite file the server can open. ``IMPORT_SQLITE_FILES`` allows it; it defaults to
    on only for the embedded single-user app (no ``DATABASE_URL``), where the files are the user's own.
    """
    from designs.compiler.parse.introspect import IntrospectError

    if url.strip().lower().startswith("sqlite") and not getattr(settings, "IMPORT_SQLITE_FILES", False):
        raise IntrospectError(
            "this server does not read SQLite files by URL (IMPORT_SQLITE_FILES is off); "
            "upload the database's schema as a file instead"
        )


def import_limit() -> int:
    """The upload size cap in bytes (``IMPORT_MAX_BYTES``), the same one the API applies."""
    return int(getattr(settings, "IMPORT_MAX_BYTES", MAX_BYTES))


class ImportForm(forms.Form):
    source = forms.ChoiceField(choices=SOURCES, initial="file", widget=forms.RadioSelect)
    name = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Taken from the file or database when empty"}),
    )
    format = forms.ChoiceField(choices=FORMATS, required=False, label="Format")
    file = forms.FileField(
        required=False, label="Schema file", widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )
    text = forms.CharField(
        required=False,
        label="Schema text",
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 10,
                "spellcheck": "false",
                "autocapitalize": "off",
                "placeholder": "CREATE TABLE customer (\n  id bigint PRIMARY KEY,\n  email text NOT NULL UNIQUE\n);",
            }
        ),
    )
    exact = forms.BooleanField(
        required=False,
        label="Let PostgreSQL read it",
        help_text="Runs the script in a throwaway PostgreSQL database and reads the result back (PostgreSQL DDL only).",
    )
    url = forms.CharField(
        required=False,
        label="Connection URL",
        max_length=2000,
        # The template never writes the value back: the URL (and its password) does not reach a page.
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": "postgresql://user:password@host:5432/dbname",
            }
        ),
    )
    schema = forms.CharField(
        required=False,
        label="Database schema",
        max_length=63,
        widget=forms.TextInput(attrs={"placeholder": "All schemas", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Ids of their own: the design list also renders the new-design form, whose field is "name" too.
        kwargs.setdefault("auto_id", "import-%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source = data.get("source")
        if source == "file" and not data.get("file"):
            self.add_error("file", "Choose a file to import.")
        elif source == "text" and not (data.get("text") or "").strip():
            self.add_error("text", "Paste a schema to import.")
        elif source == "url" and not (data.get("url") or "").strip():
            self.add_error("url", "Enter the database's connection URL.")
        return data


def _default_name(form: ImportForm) -> str:
    named = str(form.cleaned_data.get("name") or "").strip()
    upload = form.cleaned_data.get("file")
    if named:
        return named[:200]
    if form.cleaned_data["source"] == "file" and upload is not None and upload.name:
        return str(upload.name).rsplit(".", 1)[0][:200] or "Imported design"
    return "Imported design"


def form_context(form: ImportForm) -> dict[str, Any]:
    """What the import form's template needs: the form, the size caps, whether exact import is on."""
    limit = import_limit()
    # Pasted text arrives as a form field, which Django caps at DATA_UPLOAD_MAX_MEMORY_SIZE.
    paste_limit = min(limit, int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or limit) - 64 * 1024)
    return {"form": form, "limit": limit, "paste_limit": paste_limit, "exact_available": bool(exact_postgres_url())}


@login_required
def design_import(request: HttpRequest) -> HttpResponse:
    """GET: the import form. POST: import, then open the design (or show its warnings first)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context = form_context(form)
    if request.method != "POST" or not form.is_valid():
        return render(request, "designs/import.html", context, status=422 if form.is_bound else 200)
    name = _default_name(form)
    source = form.cleaned_data["source"]
    from designs.compiler.parse.introspect import IntrospectError

    try:
        if source == "url":
            from designs.compiler.layout import arrange
            from designs.compiler.parse.introspect import introspect

            check_introspect_url(form.cleaned_data["url"])
            doc, warnings = introspect(form.cleaned_data["url"].strip(), schema=form.cleaned_data["schema"] or None)
            document = arrange(doc).model_copy(update={"name": name}).to_data()
        else:
            limit = import_limit()
            if source == "file":
                upload = form.cleaned_data["file"]
                if upload.size and upload.size > limit:
                    raise ParseError(f"the file is over the {limit:,}-byte limit", 1, 1)
                raw = upload.read(limit + 1)
            else:
                raw = form.cleaned_data["text"].encode("utf-8", "surrogatepass")
            exact_url = exact_postgres_url() if form.cleaned_data.get("exact") else None
            result = import_bytes(raw, form.cleaned_data["format"] or None, exact_url, name, limit)
            document, warnings = result.document.to_data(), result.warnings
    except ParseError as exc:
        context["error"] = exc.to_data() | {"source": source}
        return render(request, "designs/import.html", context, status=422)
    except IntrospectError as exc:
        context["error"] = {"message": str(exc), "line": None, "column": None, "hint": None, "source": source}
        return render(request, "designs/import.html", context, status=422)
    try:
        checked = checked_document(document)
    except DocumentInvalid as exc:  # an importer bug; say what, rather than a 500
        first = exc.problems[0]
        message = f"the imported design is not valid: {first.path}: {first.message}"
        context["error"] = {"message": message, "line": None, "column": None, "hint": None, "source": source}
        return render(request, "designs/import.html", context, status=422)
    design = Design.create(owner=request.user, name=name, document=checked)
    if not warnings:
        return redirect("design-editor", slug=design.slug)
    context |= {
        "design": design,
        "summary": summarize_warnings(warnings),
        "count": len(warnings),
        "tables": len(document.get("tables", [])),
    }
    return render(request, "designs/import_done.html", context)
