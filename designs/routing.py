"""Websocket routes."""

from typing import Any

from django.urls import path

from designs.consumers import DesignConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/designs/<int:design_id>/", DesignConsumer.as_asgi()),
]
