"""Timeline rows are shown to the applicant by an allow-list (cases.models.PUBLIC_EVENTS); rows written
before it as public with internal content (AB角 routing naming staff on leave, step opinions, agency,
materials checks …) stop being public. The list is frozen here as it was when the migration was written."""

from django.db import migrations, models

SHOWN_AS_STORED = [
    "receive", "forward", "accept", "rongque", "commitment", "reject", "correction", "return_applicant",
    "supply", "rongque_done", "rongque_overdue", "deadline_recompute", "finish", "deliver", "stop", "revoke",
]


def hide_internal_events(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    CaseEvent.objects.filter(public=True).exclude(action__in=SHOWN_AS_STORED).update(public=False)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0004_casestep_roles_fit_director"),
    ]

    operations = [
        migrations.AlterField(
            model_name="caseevent",
            name="public",
            field=models.BooleanField(default=False, verbose_name="对申请人公开"),
        ),
        migrations.RunPython(hide_internal_events, migrations.RunPython.noop),
    ]
