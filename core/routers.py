class OwnerMigratesRouter:
    """Migrations run only on the "owner" connection.

    Tables must belong to the owner role: the app role, which serves every
    request, must own nothing, or row-level security would not apply to it.
    """

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "owner"
