"""The OpenAPI 3.1 document, generated from the views' `doc` notes and their schemas."""

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, jsonify

from ..notify import payloads
from .schemas import ErrorOut

bp = Blueprint("api_docs", __name__)

ERRORS = {
    400: "The body is not valid JSON, or the Idempotency-Key header does not fit its rule.",
    401: "No API key, or not a valid one.",
    403: (
        "The key's scope is too narrow, comments are closed, or a browser page of an origin "
        "that is not allowed sent the request."
    ),
    404: "No such article or comment.",
    409: (
        "The comment already has that status; for a submission, the same author posted the "
        "same text on this article before (`duplicate`), or a request with this "
        "Idempotency-Key is still being answered."
    ),
    413: "The body is larger than the limit (64 KiB by default).",
    415: "The body is not JSON.",
    422: (
        "A field is not valid (`fields` names each one), or the Idempotency-Key was used "
        "for a different request."
    ),
    429: (
        "Too many requests from this address, or the same address or email posted again "
        "too soon (`too_fast`); `Retry-After` says when to try again."
    ),
}


def doc(
    summary: str,
    *,
    tag: str,
    responses: dict,
    body=None,
    query=None,
    errors=(),
    parameters=(),
    headers=None,
):
    """Note how an endpoint is documented; `build_spec` reads the note.

    `parameters` are OpenAPI parameter objects beyond the path and the query (headers);
    `headers` names response headers (with a description) every success carries.
    """

    def decorator(view):
        view.openapi = {
            "summary": summary,
            "tag": tag,
            "responses": responses,
            "body": body,
            "query": query,
            "errors": errors,
            "parameters": list(parameters),
            "headers": headers or {},
        }
        return view

    return decorator


def build_spec(app) -> dict:
    spec = APISpec(
        title="commentsvc",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": "Comments for article pages: submit, read, moderate."},
    )
    spec.components.security_scheme("apiKey", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorOut)
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        note = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if note is None:
            continue
        view = app.view_functions[rule.endpoint]
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(note, rule, view)
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    webhooks = _webhooks(spec)
    document = spec.to_dict()
    document["webhooks"] = webhooks
    return document


WEBHOOK_HEADERS = {
    "webhook-id": "The delivery's id: the same on every retry, so a repeat can be dropped.",
    "webhook-timestamp": "When this attempt was signed, in Unix seconds.",
    "webhook-signature": "`v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`, "
    "keyed with the base64-decoded part of the secret after `whsec_`.",
}


def _webhooks(spec: APISpec) -> dict:
    """The `webhooks` section: what each event's delivery carries (OpenAPI 3.1)."""
    section = {}
    for event, description in payloads.DESCRIPTIONS.items():
        schema = payloads.envelope_schema(event)
        spec.components.schema(schema.__name__, schema=schema)
        section[event] = {
            "post": {
                "summary": event,
                "description": description
                + " The author's email, IP address and User-Agent, and the held reasons, "
                "are sent only to endpoints registered as moderation endpoints.",
                "parameters": [
                    {
                        "in": "header",
                        "name": name,
                        "required": True,
                        "schema": {"type": "string"},
                        "description": text,
                    }
                    for name, text in WEBHOOK_HEADERS.items()
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{schema.__name__}"}
                        }
                    },
                },
                "responses": {
                    "200": {"description": "Any 2xx answer: received. Anything else is retried."}
                },
            }
        }
    return section


def _operation(note: dict, rule, view) -> dict:
    parameters = [
        {"in": "path", "name": name, "required": True, "schema": _path_type(rule, name)}
        for name in sorted(rule.arguments)
    ]
    if note["query"] is not None:
        parameters.append({"in": "query", "schema": note["query"]})
    parameters.extend(note["parameters"])
    headers = {
        name: {"description": text, "schema": {"type": "string"}}
        for name, text in note["headers"].items()
    }
    responses = {
        str(status): {
            "description": description,
            **(
                {"content": {(media or ["application/json"])[0]: {"schema": schema}}}
                if schema
                else {}
            ),
            **({"headers": headers} if headers else {}),
        }
        for status, (schema, description, *media) in note["responses"].items()
    }
    errors = set(note["errors"]) | ({400, 413, 415, 422} if note["body"] else set())
    if getattr(view, "required_scope", None):
        errors |= {401, 403}
    for status in sorted(errors):
        responses[str(status)] = {
            "description": ERRORS[status],
            "content": {"application/json": {"schema": "Error"}},
        }
    operation = {
        "summary": note["summary"],
        "tags": [note["tag"]],
        "parameters": parameters,
        "responses": responses,
    }
    if note["body"] is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": note["body"]}},
        }
    if getattr(view, "required_scope", None):
        operation["security"] = [{"apiKey": []}]
        operation["description"] = f"Needs an API key with the `{view.required_scope}` scope."
    return operation


def _path_type(rule, name: str) -> dict:
    converter = rule._converters[name]
    return (
        {"type": "integer"}
        if type(converter).__name__ == "IntegerConverter"
        else {"type": "string"}
    )


@bp.get("/openapi.json")
def openapi_json():
    spec = current_app.extensions.get("commentsvc.openapi")
    if spec is None:
        spec = current_app.extensions["commentsvc.openapi"] = build_spec(current_app)
    return jsonify(spec)
