from django.urls import path

from monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("health/live", views.live, name="live"),
    path("health/ready", views.ready, name="ready"),
    path("metrics", views.metrics, name="metrics"),
    path("ops/", views.overview, name="overview"),
    path("ops/overview.json", views.overview_json, name="overview_json"),
    path("ops/partitions/", views.partitions, name="partitions"),
    path("ops/partitions/<str:label>/", views.partition_leaves, name="partition_leaves"),
    path("ops/partitions/<str:label>/count-default/", views.count_default, name="count_default"),
    path("ops/vacuum/", views.vacuum, name="vacuum"),
    path("ops/cache/", views.cache, name="cache"),
    path("ops/queues/", views.queues, name="queues"),
    path("ops/storage/", views.storage, name="storage"),
    path("ops/activity/", views.activity, name="activity"),
    path("ops/extensions/", views.extensions, name="extensions"),
    path("ops/sql-access/", views.sql_access, name="sql_access"),
    path("ops/actions/jobs/<str:job_id>/", views.action_outcome, name="action_outcome"),
    path("ops/actions/<slug:name>/", views.action, name="action"),
]
