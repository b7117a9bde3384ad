"""Responses shared by the apps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.http import HttpResponse, StreamingHttpResponse

_END = object()


class StreamingFileResponse(StreamingHttpResponse):
    """A download produced chunk by chunk by a blocking iterator (reading and decrypting a file).

    Under WSGI Django iterates it as it is. Under ASGI Django's StreamingHttpResponse would first collect a
    synchronous iterator into a list (the whole file in memory: see StreamingHttpResponse.__aiter__); here
    each chunk is produced in a worker thread and sent before the next is read."""

    def __init__(self, chunks: Iterable[bytes], **kwargs: Any) -> None:
        super().__init__(chunks, **kwargs)

    async def __aiter__(self) -> AsyncIterator[bytes]:  # type: ignore[override]
        iterator = iter(self.streaming_content)  # type: ignore[arg-type]

        def step() -> Any:
            return next(iterator, _END)

        while True:
            chunk = await sync_to_async(step, thread_sensitive=False)()
            if chunk is _END:
                return
            yield chunk


DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def document_response(data: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """A rendered document as a download (or shown in the browser: ``inline``), its Chinese file name kept
    (RFC 5987); the type comes from the file name's extension."""
    response = HttpResponse(data, content_type=DOCUMENT_TYPES[filename.rsplit(".", 1)[-1]])
    response["Content-Disposition"] = (
        f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(filename)}"
    )
    return response
