"""Source documents keep their text (confidential spans blanked) and lose bytes that
would carry a confidential item's text. Filled by 0005."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_meeting_newest_first"),
    ]

    operations = [
        migrations.AlterField(
            model_name="sourcedocument",
            name="content",
            field=models.BinaryField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="sourcedocument",
            name="text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="sourcedocument",
            name="has_original",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Q(("content__isnull", False)),
                output_field=models.BooleanField(),
            ),
        ),
    ]
