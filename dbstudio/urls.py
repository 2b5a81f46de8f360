from django.contrib import admin
from django.urls import include, path, re_path

from dbstudio.api import api
from designs.views import not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # Unknown API paths answer JSON even in DEBUG, where Django would render an HTML page.
    re_path(r"^api/", not_found),
    path("", include("designs.urls")),
]

handler404 = "designs.views.not_found"
handler500 = "designs.views.server_error"
