"""The waiting tickets' partial index (issue 15): the screens' waiting counts and call-next's pick read only
the waiting rows of a centre's day, in calling order."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0003_queue_settings_voice_and_hours"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", ("waiting", "transferred"))),
                fields=["centre", "date", "window_class", "department", "-priority", "queued_at", "id"],
                name="ticket_waiting_idx",
            ),
        ),
    ]
