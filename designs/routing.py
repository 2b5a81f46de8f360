"""Websocket routes. The live-collaboration consumer arrives with its own issue."""

from typing import Any

websocket_urlpatterns: list[Any] = []
