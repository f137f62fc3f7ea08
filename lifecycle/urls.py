from django.urls import path

from lifecycle import views

app_name = "lifecycle"
urlpatterns = [
    path("", views.policies, name="policies"),
    path("policies/new/", views.policy_edit, name="policy_new"),
    path("policies/<int:policy_id>/", views.policy_edit, name="policy_edit"),
    path("policies/<int:policy_id>/delete/", views.policy_delete, name="policy_delete"),
    path("plan/", views.plan, name="plan"),
    path("run/", views.run_now, name="run"),
    path("archives/<int:archive_id>/", views.archive_detail, name="archive"),
    path("archives/<int:archive_id>/restore/", views.restore, name="restore"),
]
