from django.urls import path

from uploads import views

app_name = "uploads"
urlpatterns = [
    path("", views.new, name="new"),
    path("tus/", views.tus_create, name="tus"),
    path("tus/<uuid:upload_id>", views.tus_upload, name="tus-upload"),
    path("batches/", views.batch_create, name="batches"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("batches/<int:batch_id>/discard", views.batch_discard, name="batch-discard"),
    path("batches/<int:batch_id>/import-again", views.batch_import_again, name="batch-import-again"),
]
