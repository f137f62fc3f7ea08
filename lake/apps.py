from django.apps import AppConfig


class LakeConfig(AppConfig):
    name = "lake"
    verbose_name = "Your lake (per-user data)"

    def ready(self):
        from lake import checks  # noqa: F401  (registers system checks)
