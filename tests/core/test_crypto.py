"""Personal data at rest (part 6): SM4-GCM encryption and keyed SM3 look-up digests."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.exceptions import FieldError

from govhall.core.crypto import PREFIX, DecryptionError, decrypt, encrypt, lookup_digest, sm3_hex

ID = "320681199003071231"


def test_sm3_and_sm4_are_the_national_algorithms():
    """Known answers: SM3("abc") from GB/T 32905, SM4 block from GB/T 32907."""
    assert sm3_hex("abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    block = Cipher(algorithms.SM4(key), modes.ECB()).encryptor().update(key)  # noqa: S305 (test vector)
    assert block.hex() == "681edf34d206965e86b3e94f536e4246"


def test_round_trip_and_the_ciphertext_hides_the_value():
    token = encrypt(ID)
    assert token.startswith(PREFIX)
    assert ID not in token and ID.encode() not in base64.b64decode(token[len(PREFIX) :])
    assert decrypt(token) == ID
    assert decrypt(encrypt("张三 启东市汇龙镇")) == "张三 启东市汇龙镇"


def test_same_value_encrypts_differently_each_time():
    assert encrypt(ID) != encrypt(ID)


def test_tampered_ciphertext_is_refused():
    raw = bytearray(base64.b64decode(encrypt(ID)[len(PREFIX) :]))
    raw[14] ^= 0x01  # one bit of the ciphertext body
    with pytest.raises(DecryptionError):
        decrypt(PREFIX + base64.b64encode(bytes(raw)).decode())


@pytest.mark.parametrize("token", ["320681199003071231", PREFIX + "!!!notbase64", PREFIX + "c2hvcnQ="])
def test_garbage_is_refused(token):
    with pytest.raises(DecryptionError):
        decrypt(token)


def test_another_key_cannot_decrypt(settings):
    token = encrypt(ID)
    settings.FIELD_KEY = "00" * 16
    with pytest.raises(DecryptionError, match="GOVHALL_FIELD_KEY"):
        decrypt(token)


def test_lookup_digest_is_stable_normalised_and_keyed(settings):
    digest = lookup_digest(ID)
    assert len(digest) == 64 and digest == lookup_digest(f" {ID.lower()} ")
    assert digest != lookup_digest("320681199003071223")
    assert digest != sm3_hex(ID)  # keyed: not the plain hash anyone could compute
    settings.FIELD_KEY = "00" * 16
    assert lookup_digest(ID) != digest


def test_field_stores_ciphertext_and_loads_plaintext(probe_model):
    from django.db import connection

    field = probe_model._meta.get_field("id_number")
    stored = field.get_db_prep_value(ID, connection)
    assert stored.startswith(PREFIX) and ID not in stored
    assert field.from_db_value(stored, None, connection) == ID
    assert field.get_db_prep_value("", connection) == ""
    assert field.get_db_prep_value(None, connection) is None


def test_filtering_on_the_encrypted_field_is_refused(probe_model):
    """Randomised ciphertext never matches: look up by the digest field instead."""
    with pytest.raises(FieldError, match="摘要字段"):
        probe_model.objects.filter(id_number=ID)
    with pytest.raises(FieldError):
        probe_model.objects.filter(id_number__contains="3206")
    assert "IS NULL" in str(probe_model.objects.filter(id_number__isnull=True).query)
