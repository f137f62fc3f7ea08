from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_migrate


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Console"

    def ready(self):
        from console.personas import ensure_personas_after_migrate

        # Like auth's own permissions: groups can only be wired to permissions
        # once every app's permissions exist, i.e. after all migrations ran.
        post_migrate.connect(ensure_personas_after_migrate, sender=self)

        from console.signin import audit_signed_in, audit_signed_out

        # login() and logout() announce every session change, the console's
        # and Django admin's alike; failed sign-ins are recorded by the backend.
        user_logged_in.connect(audit_signed_in, dispatch_uid="console.audit_signed_in")
        user_logged_out.connect(audit_signed_out, dispatch_uid="console.audit_signed_out")
