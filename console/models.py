from django.db import models


class Persona(models.Model):
    """Holds the console's permissions; it has no table of its own.

    The three personas are groups that bundle these (console/personas.py).
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("use_lake", "See and manage one's own data"),
            ("manage_lifecycle", "Manage lifecycle and archive policies"),
            ("manage_users", "Manage people and their personas"),
            ("read_audit", "Read the audit log"),
            ("view_health", "See the health dashboards"),
            ("run_maintenance", "Run maintenance actions"),
        ]

    def __str__(self):
        return "persona permissions"
