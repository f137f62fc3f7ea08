from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('uploads', '0002_drop_redundant_fk_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='uploadbatch',
            name='reused_run',
            field=models.BooleanField(db_default=False, default=False),
        ),
    ]
