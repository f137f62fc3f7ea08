from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "sources.mail"
    label = "mail"
    verbose_name = "Gmail"

    def ready(self):
        from sources.mail import tables  # noqa: F401  (declares the partitioned table to core.partitions)
