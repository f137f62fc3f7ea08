from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from console import views as console_views
from console.signin import SignInForm
from monitoring import rq_admin

urlpatterns = [
    path("", console_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
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
    path("sql/", include("sqlaccess.urls")),
    path("events/", include("events.delivery.urls")),
    path("api/", include("api.urls")),
    path("developer/", include("api.console_urls")),
    path("", include("monitoring.urls")),
    path("admin/django-rq/", include(rq_admin.urlpatterns())),
    path("admin/", admin.site.urls),
]

handler400 = "console.errors.bad_request"
handler403 = "console.errors.permission_denied"
handler404 = "console.errors.page_not_found"
handler500 = "console.errors.server_error"
