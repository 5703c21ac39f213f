from django.contrib import admin
from django.urls import include, path

from meetings.language import choose_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sprog/<str:code>/", choose_language, name="choose_language"),
    path("", include("meetings.urls")),
]
