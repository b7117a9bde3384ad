"""Files encrypted at rest (scans of ID cards, 户口本): SM4-GCM in segments, keyed from GOVHALL_FIELD_KEY.

Layout of an encrypted file (version 1)::

    header  = MAGIC (6) || version (1) || key id (8) || segment size (4, big-endian) || nonce prefix (7)
    segment = SM4-GCM(plaintext[i*size:(i+1)*size]) || tag (16), for i = 0 … n-1 (the last may be shorter)

Each segment's nonce is nonce prefix || i (4 bytes) || 1 for the last segment, else 0, and its associated
data is the header: a segment cannot be moved, dropped, swapped between files, or cut off after the
last one without its tag failing. So a file can be decrypted and checked one segment at a time (a download
streams it; nothing holds the whole file in memory) and a tampered or truncated file is noticed at the
segment where it was changed.

The key id names the key a file was written with (a keyed SM3 of the master key, so it reveals nothing
about it): files under a retired key (GOVHALL_FIELD_KEYS_RETIRED) stay readable and `govhall media
encrypt` rewrites them under the current key. A file without the header is a plaintext file from before
encryption at rest: it is read as it is until `govhall media encrypt` has encrypted it in place.
See docs/operations.md ("Uploaded files").
"""

from __future__ import annotations

import errno
import io
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Protocol

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

from govhall.core.crypto import DecryptionError, sm3_hmac
from govhall.core.errors import StorageFull

MAGIC = b"GHSM4F"
VERSION = 1
SEGMENT = 64 * 1024
TAG = 16
_HEADER = struct.Struct(">6sB8sI7s")
HEADER_SIZE = _HEADER.size  # 26


@dataclass(frozen=True)
class FileKey:
    key_id: bytes
    key: bytes


@lru_cache(maxsize=8)
def _derive(master_hex: str) -> FileKey:
    master = bytes.fromhex(master_hex)
    return FileKey(
        key_id=sm3_hmac(master, b"govhall-file-key-id")[:8],
        key=sm3_hmac(master, b"govhall-file-encryption")[:16],
    )


def current_key() -> FileKey:
    return _derive(settings.FIELD_KEY)


def key_for(key_id: bytes) -> FileKey:
    for master in (settings.FIELD_KEY, *getattr(settings, "FIELD_KEYS_RETIRED", ())):
        candidate = _derive(master)
        if candidate.key_id == key_id:
            return candidate
    raise DecryptionError(
        f"file encrypted under unknown key {key_id.hex()}: restore that GOVHALL_FIELD_KEY "
        "(or list it in GOVHALL_FIELD_KEYS_RETIRED)"
    )


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


class Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


def encrypt_stream(source: Readable, target: IO[bytes], *, segment: int = SEGMENT) -> int:
    """Read `source` to its end and write it encrypted to `target`; return the plaintext size. Holds
    two segments in memory at most."""
    key = current_key()
    prefix = os.urandom(7)
    header = _HEADER.pack(MAGIC, VERSION, key.key_id, segment, prefix)
    target.write(header)
    total, index = 0, 0
    chunk = source.read(segment)
    while True:
        following = source.read(segment) if len(chunk) == segment else b""
        last = not following
        encryptor = Cipher(algorithms.SM4(key.key), modes.GCM(_nonce(prefix, index, last))).encryptor()
        encryptor.authenticate_additional_data(header)
        target.write(encryptor.update(chunk) + encryptor.finalize() + encryptor.tag)
        total += len(chunk)
        if last:
            return total
        chunk, index = following, index + 1


DISK_FULL = (errno.ENOSPC, errno.EDQUOT)  # no space, or the folder's quota spent


def write_encrypted(path: Path, data: bytes) -> None:
    """Write `data` encrypted to a new file `path` (mode 0640; refuses to overwrite).
    Missing folders are made (a new month's folder too). A full disk leaves no partial file behind and raises
    StorageFull (a clear message, HTTP 507)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    except OSError as exc:
        if exc.errno in DISK_FULL:
            raise StorageFull() from exc
        raise
    try:
        with os.fdopen(fd, "wb") as target:
            encrypt_stream(io.BytesIO(data), target)
            target.flush()
            os.fsync(target.fileno())  # a full disk shows here at the latest, not after the commit
    except OSError as exc:
        path.unlink(missing_ok=True)
        if exc.errno in DISK_FULL:
            raise StorageFull() from exc
        raise


@dataclass(frozen=True)
class Header:
    key_id: bytes
    segment: int
    prefix: bytes
    raw: bytes


def read_header(handle: IO[bytes]) -> Header | None:
    """The header at the start of `handle`, or None (handle rewound) for a plaintext file from before."""
    raw = handle.read(HEADER_SIZE)
    if not raw.startswith(MAGIC):
        handle.seek(0)
        return None
    if len(raw) < HEADER_SIZE:
        raise DecryptionError("encrypted file: header cut short")
    _magic, version, key_id, segment, prefix = _HEADER.unpack(raw)
    if version != VERSION or not 0 < segment <= 16 * 1024 * 1024:
        raise DecryptionError(f"encrypted file: unknown version {version} or segment size {segment}")
    return Header(key_id=key_id, segment=segment, prefix=prefix, raw=raw)


def plain_size(path: Path) -> int:
    """The plaintext size of a stored file (encrypted or not), from its size on disk."""
    with path.open("rb") as handle:
        header = read_header(handle)
    size = path.stat().st_size
    if header is None:
        return size
    body = size - HEADER_SIZE
    segments = max(1, -(-body // (header.segment + TAG)))
    return body - segments * TAG


def _segments(handle: IO[bytes], header: Header) -> Iterator[bytes]:
    key = key_for(header.key_id)
    size = header.segment + TAG
    index = 0
    chunk = handle.read(size)
    while True:
        following = handle.read(size) if len(chunk) == size else b""
        last = not following
        if len(chunk) < TAG:
            raise DecryptionError("encrypted file: cut short")
        body, tag = chunk[:-TAG], chunk[-TAG:]
        try:
            decryptor = Cipher(
                algorithms.SM4(key.key), modes.GCM(_nonce(header.prefix, index, last), tag)
            ).decryptor()
            decryptor.authenticate_additional_data(header.raw)
            plain = decryptor.update(body) + decryptor.finalize()
        except Exception as exc:  # InvalidTag: tampered, truncated or moved segment
            raise DecryptionError(
                f"encrypted file: segment {index} does not verify (tampered or cut short)"
            ) from exc
        yield plain
        if last:
            return
        chunk, index = following, index + 1


def open_plaintext(path: Path, *, chunk: int = SEGMENT) -> Iterator[bytes]:
    """The file's plaintext, chunk by chunk (decrypted and verified per segment; a plaintext file from
    before encryption at rest is passed through). The first chunk is decrypted before this returns, so a
    wrong key or a damaged header raises here rather than in the middle of a download."""
    handle = path.open("rb")
    try:
        header = read_header(handle)
        if header is None:
            source: Iterator[bytes] = iter(lambda: handle.read(chunk), b"")
        else:
            source = _segments(handle, header)
        first = next(source, b"")
    except BaseException:
        handle.close()
        raise

    def stream() -> Iterator[bytes]:
        try:
            if first:
                yield first
            yield from source
        finally:
            handle.close()

    return stream()


def read_plaintext(path: Path) -> bytes:
    """The whole plaintext (for small files and tests; downloads use open_plaintext)."""
    return b"".join(open_plaintext(path))


def rewrite_encrypted(path: Path) -> None:
    """Encrypt a plaintext file in place (or re-encrypt one under a retired key with the current key):
    written to a temporary file beside it, fsynced, then renamed over it, so a crash leaves either the old
    file or the new one, never half of each."""
    tmp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        with os.fdopen(fd, "wb") as target:
            with path.open("rb") as handle:
                header = read_header(handle)
                if header is None:
                    encrypt_stream(handle, target)
                else:
                    encrypt_stream(_IteratorReader(_segments(handle, header)), target)
            target.flush()
            os.fsync(target.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class _IteratorReader:
    """A read(n) view of an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self._buffer) < n:
            part = next(self._chunks, None)
            if part is None:
                break
            self._buffer += part
        if n < 0:
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out
