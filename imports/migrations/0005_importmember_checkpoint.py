"""Where a long member's committed rows end, so a killed run resumes inside it rather than at its start."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0004_importmember_starts'),
    ]

    operations = [
        migrations.AddField(
            model_name='importmember',
            name='checkpoint_offset',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='importmember',
            name='resumed_from',
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]
