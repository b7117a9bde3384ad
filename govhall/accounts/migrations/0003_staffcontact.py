"""`StaffContact` from the cases app: state only. cases 0006 renamed its table to accounts_staffcontact, so
every existing row is this model's row."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import govhall.core.crypto


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("cases", "0006_staffcontact_moves_to_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StaffContact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("mobile", govhall.core.crypto.EncryptedTextField(verbose_name="通知手机")),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="staff_contact",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="工作人员",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "督办通知手机",
                        "verbose_name_plural": "督办通知手机",
                    },
                ),
            ],
        ),
    ]
