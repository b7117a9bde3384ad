"""The supervision page's index: running cases by warning moment. On PostgreSQL it carries the columns
the page groups by (INCLUDE), so the grouped query is an index-only scan; SQLite has no INCLUDE."""

from django.db import migrations

COLUMNS = "due_at, handling_centre_id, centre_id, department_id, current_assignee_id"
WHERE = "status IN ('processing', 'returned')"


def create(apps, schema_editor):
    include = f" INCLUDE ({COLUMNS})" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX case_running_warn ON cases_case (warn_at){include} WHERE {WHERE}")


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX case_running_warn")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_case_flow")]

    operations = [migrations.RunPython(create, drop)]
