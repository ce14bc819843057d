"""/openapi.json: a valid OpenAPI 3.1 document describing every API endpoint."""

import re

import pytest
from openapi_spec_validator import validate

PUBLIC_ENDPOINTS = {"api.submit_comment", "api.get_thread", "api.get_counts"}
UNDOCUMENTED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def spec(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.is_json
    return response.get_json()


def api_operations(app) -> list[tuple[str, str, str]]:
    """(endpoint, OpenAPI path, lower-case method) for every route of the API blueprint."""
    return [
        (rule.endpoint, re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in sorted(rule.methods - UNDOCUMENTED_METHODS)
    ]


def resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        *_, name = node["$ref"].split("/")
        node = spec["components"]["schemas"][name]
    return node


def uses_bearer(spec: dict, operation: dict) -> bool:
    schemes = spec["components"].get("securitySchemes", {})
    return any(
        schemes.get(name, {}).get("type") == "http" and schemes[name].get("scheme") == "bearer"
        for requirement in operation.get("security", [])
        for name in requirement
    )


def test_the_document_is_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    assert spec["info"]["title"] == "commentsvc"


def test_the_document_validates(spec):
    validate(spec)


def test_every_api_route_and_method_is_documented(app, spec):
    operations = api_operations(app)

    assert len(operations) >= 11
    missing = [
        f"{method.upper()} {path} ({endpoint})"
        for endpoint, path, method in operations
        if method not in spec["paths"].get(path, {})
    ]
    assert missing == []


def test_the_document_describes_only_routes_that_exist(app, spec):
    served = {(path, method) for _, path, method in api_operations(app)}
    documented = {
        (path, method)
        for path, operations in spec["paths"].items()
        for method in operations
        if method in {"get", "put", "post", "patch", "delete"}
    }

    assert documented <= served


def test_moderation_operations_declare_bearer_security_and_public_ones_do_not(app, spec):
    public = secured = 0
    for endpoint, path, method in api_operations(app):
        operation = spec["paths"][path][method]
        if endpoint in PUBLIC_ENDPOINTS:
            assert "security" not in operation, endpoint
            public += 1
        else:
            assert uses_bearer(spec, operation), endpoint
            assert "401" in operation["responses"] and "403" in operation["responses"]
            secured += 1

    assert public == len(PUBLIC_ENDPOINTS)
    assert secured >= 8
    assert "security" not in spec  # no global requirement that would cover the public ones


def test_operations_declared_secure_are_the_ones_that_refuse_anonymous_callers(app, spec, client):
    samples = {"comment_id": "1", "article_id": "pk-openapi-check", "webhook_id": "1"}
    for endpoint, path, method in api_operations(app):
        url = re.sub(r"{(\w+)}", lambda m: samples[m.group(1)], path)
        response = client.open(url, method=method.upper(), json={})
        declared = uses_bearer(spec, spec["paths"][path][method])
        assert (response.status_code == 401) is declared, (endpoint, response.status_code)


def test_the_submit_operation_takes_a_comment_in(spec):
    operation = spec["paths"]["/api/v1/articles/{article_id}/comments"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]

    assert body == {"$ref": "#/components/schemas/CommentIn"}
    schema = resolve(spec, body)
    assert {"name", "email", "body"} <= set(schema["required"])
    assert {"url", "parent_id"}.isdisjoint(schema["required"])
    assert {"201", "202", "422", "429"} <= set(operation["responses"])


def test_errors_share_one_documented_shape(spec):
    error = resolve(spec, {"$ref": "#/components/schemas/Error"})
    inner = resolve(spec, error["properties"]["error"])

    assert {"code", "message", "fields"} <= set(inner["properties"])
    assert set(inner["required"]) == {"code", "message", "fields", "request_id"}


def test_an_error_raised_before_any_route_carries_its_request_id(client):
    response = client.get("/api/v1/comments/99999999999")  # out of range: no route

    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["request_id"] == response.headers["X-Request-Id"]
    assert response.headers["Cache-Control"] == "no-store"  # as the keyed route's answers


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("Ada", True),
        ("  \u00e9 ", True),
        ("\U0001f600", True),
        (" \u3000\u1680 ", False),
        ("\u200b\u3164", False),
        ("\u0301", False),
    ],
)
def test_the_documented_name_rule_is_the_servers(spec, client, name, accepted):
    pattern = resolve(spec, {"$ref": "#/components/schemas/CommentIn"})["properties"]["name"]
    response = client.post(
        "/api/v1/articles/name-rule/comments",
        json={"name": name, "email": "a@example.org", "body": "Hello"},
    )

    assert (re.fullmatch(pattern["pattern"], name) is not None) is accepted
    assert (response.status_code in (201, 202)) is accepted, response.get_json()


def test_the_submit_operation_documents_its_idempotency_key(spec):
    operation = spec["paths"]["/api/v1/articles/{article_id}/comments"]["post"]
    (header,) = [p for p in operation["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key" and header["required"] is False
    assert "24 hours" in header["description"]
    pattern = re.compile(header["schema"]["pattern"])
    for good in ("8e03978e-40d5-43e8-bc93-6894a57f9324", '"quoted"', "k" * 255):
        assert pattern.search(good), good
    for bad in ("", "two words", "k" * 256, '"half', "ключ"):
        assert not pattern.search(bad), bad
    assert {"400", "403", "409", "422"} <= set(operation["responses"])


def test_the_document_and_the_url_map_name_the_same_api_operations(app, spec):
    served = {
        (re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - UNDOCUMENTED_METHODS
    }
    documented = {
        (path, method)
        for path, operations in spec["paths"].items()
        for method in operations
        if method in {"get", "put", "post", "patch", "delete", "options", "head"}
    }

    assert len(served) >= 18
    assert sorted(served - documented) == []  # every route is in the document
    assert sorted(documented - served) == []  # and the document names nothing else


def test_every_operation_documents_the_answers_any_request_can_get(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            answers = set(operation["responses"])
            assert {"414", "503"} <= answers, (method, path)
            if "{comment_id}" in path or "{webhook_id}" in path:
                assert "404" in answers, (method, path)
                (ident,) = [p for p in operation["parameters"] if p["in"] == "path"]
                assert ident["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
            if "{article_id}" in path:
                assert {"404", "422"} <= answers, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "415", "422"} <= answers, (method, path)


def test_the_body_limit_is_the_configured_one(spec, app):
    for name in ("CommentIn", "CommentEditIn"):
        body = spec["components"]["schemas"][name]["properties"]["body"]
        assert body["maxLength"] == app.config["BODY_MAX_LENGTH"] == 10_000
