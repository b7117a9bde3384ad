"""国密 at rest: SM4-GCM field encryption and keyed SM3 digests, from the `cryptography` package.

The key is GOVHALL_FIELD_KEY (128 bits). Losing it loses every encrypted value: see docs/operations.md.
Ciphertext format: "sm4g1:" + base64(nonce(12) || ciphertext || tag(16)).
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models

PREFIX = "sm4g1:"


class DecryptionError(Exception):
    pass


@lru_cache(maxsize=4)
def _keys(field_key_hex: str) -> tuple[bytes, bytes, bytes]:
    master = bytes.fromhex(field_key_hex)
    # Separate keys for encryption, look-up digests and the audit chain, derived from the one master key.
    enc = sm3_hmac(master, b"govhall-field-encryption")[:16]
    mac = sm3_hmac(master, b"govhall-lookup-digest")
    audit = sm3_hmac(master, b"govhall-audit-chain")
    return enc, mac, audit


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def sm3_hex(data: bytes | str) -> str:
    return sm3(data.encode() if isinstance(data, str) else data).hex()


def sm3_hmac(key: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def encrypt(plaintext: str) -> str:
    enc_key, _, _ = _keys(settings.FIELD_KEY)
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(enc_key), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return PREFIX + base64.b64encode(nonce + body + encryptor.tag).decode()


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise DecryptionError("not an SM4 ciphertext")
    try:
        raw = base64.b64decode(token[len(PREFIX) :], validate=True)
    except ValueError as exc:
        raise DecryptionError("not an SM4 ciphertext: bad base64") from exc
    if len(raw) < 12 + 16:
        raise DecryptionError("not an SM4 ciphertext: too short")
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    enc_key, _, _ = _keys(settings.FIELD_KEY)
    try:
        decryptor = Cipher(algorithms.SM4(enc_key), modes.GCM(nonce, tag)).decryptor()
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except Exception as exc:  # InvalidTag: wrong key or tampered value
        raise DecryptionError("cannot decrypt: wrong GOVHALL_FIELD_KEY or tampered value") from exc


def lookup_digest(value: str) -> str:
    """Keyed SM3 digest for exact look-up of an encrypted value (same input → same digest)."""
    _, mac_key, _ = _keys(settings.FIELD_KEY)
    return sm3_hmac(mac_key, value.strip().upper().encode()).hex()


def audit_chain_hash(data: str) -> str:
    """Keyed SM3 (HMAC-SM3) for the audit chain: someone with write access to the database alone
    cannot recompute the chain after editing it."""
    _, _, audit_key = _keys(settings.FIELD_KEY)
    return sm3_hmac(audit_key, data.encode()).hex()


def token_digest(token: str) -> str:
    """Digest of a random secret (API token): SM3 keyed with the site's SECRET_KEY."""
    key = hashlib.sha256(settings.SECRET_KEY.encode()).digest()
    return sm3_hmac(key, token.encode()).hex()


class EncryptedTextField(models.TextField):
    """A text field stored SM4-encrypted. Python code sees plaintext; the database never does.
    Pair it with a digest CharField for look-ups (the service sets both): the ciphertext is
    randomised, so filtering on this field could never match and is refused (only isnull works)."""

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(
                f"加密字段 {self.name} 不能用于 {lookup_name} 查询：请用对应的摘要字段（lookup_digest）精确查找。"
            )
        return super().get_lookup(lookup_name)

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: object) -> object:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
