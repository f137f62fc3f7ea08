from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from console import views as console_views
from monitoring import rq_admin

urlpatterns = [
    path("", console_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Where a person replaces the one-time password an administrator handed over (console/people.py).
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("lake/", include("explore.urls")),
    path("audit/", include("audit.urls")),
    path("lifecycle/", include("lifecycle.urls")),
    path("users/", include("console.urls")),
    path("uploads/", include("uploads.urls")),
    path("imports/", include("imports.urls")),
    path("", include("monitoring.urls")),
    path("admin/django-rq/", include(rq_admin.urlpatterns())),
    path("admin/", admin.site.urls),
]
