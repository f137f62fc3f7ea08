from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = "Keys, encryption at rest and the raw store"

    def ready(self):
        from vault import checks  # noqa: F401  (registers system checks)
