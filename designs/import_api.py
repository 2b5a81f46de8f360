"""The import endpoints (filled in by its issue)."""

from ninja import Router

router = Router(tags=["import"])
