"""The bare ASGI app bench/hot_paths.py serves with the same uvicorn (2 workers): the Python server's own
limit, printed so the distance to it stays visible."""

BODY = b'{"status":"ok"}'


async def app(scope: dict, receive: object, send: object) -> None:
    assert scope["type"] == "http"
    await send(  # type: ignore[operator]
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": BODY})  # type: ignore[operator]
