from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0002_drop_redundant_fk_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='importrun',
            name='deleted_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
