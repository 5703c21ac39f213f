from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("organer/", views.body_list, name="body_list"),
    path("organer/<slug:slug>/", views.body_detail, name="body_detail"),
    path("moeder/<slug:slug>/", views.meeting_detail, name="meeting_detail"),
    path("moeder/<slug:slug>/punkt/<int:number>/", views.item_detail, name="item_detail"),
    path("sager/<str:number>/", views.case_detail, name="case_detail"),
    path("dokumenter/<int:pk>/", views.document_detail, name="document_detail"),
]
