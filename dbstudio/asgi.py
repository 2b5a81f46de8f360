"""The ASGI entry point: HTTP through Django, websockets through Channels."""

import os
import warnings

from django.core.asgi import get_asgi_application

# WhiteNoise (static files) and our bundle downloads answer with file responses, whose iterators are
# synchronous; Django's ASGI handler reads them on a worker thread, which is right for files, and warns
# each time it does. Without this filter the console of `dbstudio serve` fills with one warning per file.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dbstudio.settings")
django_asgi_app = get_asgi_application()

# Imported after Django is set up: routing pulls in models.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from designs.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
