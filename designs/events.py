"""Events for the sockets open on a design, sent from synchronous code (API views, tasks, signals).

The consumer (``designs.consumers``) joins each socket to its design's group and relays these JSON
events to the browser. Sending is best effort: what the event announces is already saved, and a
client that misses it catches up when its socket reconnects, or by polling.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def group_name(design_id: int) -> str:
    """The channel-layer group of a design's open sockets."""
    return f"design-{design_id}"


def tell_design(design_id: int, event: dict[str, Any]) -> bool:
    """Send ``event`` to every socket open on the design; whether it was handed to the channel layer.

    No channel layer means nobody can be listening; a failing one loses only this event (logged).
    """
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(layer.group_send)(group_name(design_id), event)
    except Exception:
        log.warning("Could not send %s to design %s's open editors", event.get("type"), design_id, exc_info=True)
        return False
    return True
