"""Count how often a member was started, so one that keeps killing its worker is given up."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0003_importrun_deleted_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='importmember',
            name='starts',
            field=models.PositiveSmallIntegerField(db_default=0, default=0),
        ),
    ]
