"""Each API schema has its own name: the OpenAPI document keeps one schema per name, so two apps'
same-named schemas would silently describe one of them wrongly."""

from collections import Counter

from ninja import Schema

from govhall.core.discovery import app_modules


def test_api_schema_names_are_unique_across_apps():
    names: list[str] = []
    for module in app_modules("api"):
        names += [
            obj.__name__
            for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Schema) and obj.__module__ == module.__name__
        ]
    assert [n for n, c in Counter(names).items() if c > 1] == []


def test_openapi_document_is_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"MatterOut", "CaseMaterialIn", "TicketFinishIn", "SurveyFinishIn"} <= set(
        schema["components"]["schemas"]
    )
