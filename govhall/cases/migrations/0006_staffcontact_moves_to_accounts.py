"""`StaffContact` moves to the accounts app (it serves reviews and notifications, not only cases). The table
is renamed, never dropped: every notification mobile stays. accounts 0003 takes the model over in the state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_caseevent_public_allow_list"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="staffcontact", table="accounts_staffcontact"),
            ],
            state_operations=[
                migrations.DeleteModel(name="StaffContact"),
            ],
        ),
    ]
