from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


def delete_account_data(sender, instance, **kwargs):
    """A Django user deleted anywhere (the admin, a shell) takes her lake data with her.

    The partitioned fact tables have no foreign key to the user table (each
    row paid for one on insert), so nothing cascades in the database: this
    runs the delete-everything path first, in her scope, and if it fails the
    user's deletion fails with it. (Imported here: apps.py loads before the
    models are ready.) A receiver rather than a call, because the
    admin's and the ORM's deletions are not ours to change.
    """
    from core.rls import user_scope
    from explore import deletion
    from lifecycle.actions import purge_detached_rows

    with user_scope(instance.pk):
        deletion.delete_everything(instance)
    # What the cascade also reached: her rows in months detached for archiving.
    purge_detached_rows(instance.pk)


class ExploreConfig(AppConfig):
    name = "explore"
    verbose_name = "Your lake: the pages where people explore their own data"

    def ready(self):
        pre_delete.connect(delete_account_data, sender=settings.AUTH_USER_MODEL,
                           dispatch_uid="explore.delete_account_data")
