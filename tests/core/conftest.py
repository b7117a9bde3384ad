from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def probe_model() -> type:
    """A throw-away model with an encrypted field, registered in an isolated app registry (so
    migrations, flushes and other apps never see it); its table exists only where a test creates it.
    It exercises EncryptedTextField until real models carry one (see test_pii_at_rest.py)."""
    from django.db import models
    from django.test.utils import isolate_apps

    from govhall.core.crypto import EncryptedTextField

    with isolate_apps("govhall.core"):

        class PersonalRecordProbe(models.Model):
            name = models.CharField("姓名", max_length=40)
            id_number = EncryptedTextField("身份证号", blank=True)
            id_number_digest = models.CharField(max_length=64, blank=True, db_index=True)

            class Meta:
                app_label = "core"
                db_table = "test_core_personal_record_probe"

            def __str__(self) -> str:
                return self.name

    return PersonalRecordProbe
