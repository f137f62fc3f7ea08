from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from console import views as console_views
from console.signin import SignInForm

urlpatterns = [
    path("", console_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("lake/", include("lake.urls")),
    path("audit/", include("audit.urls")),
    path("lifecycle/", include("archive.urls")),
    path("uploads/", include("uploads.urls")),
    path("imports/", include("imports.urls")),
    path("", include("monitoring.urls")),
    path("admin/django-rq/", include("django_rq.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "console.errors.bad_request"
handler403 = "console.errors.permission_denied"
handler404 = "console.errors.page_not_found"
handler500 = "console.errors.server_error"
