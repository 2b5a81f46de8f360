"""The review endpoints (filled in by its issue)."""

from ninja import Router

router = Router(tags=["review"])
