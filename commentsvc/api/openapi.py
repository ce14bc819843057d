"""The OpenAPI 3.1 document, generated from the views' `doc` notes and their schemas."""

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, jsonify

from .. import fields as text_fields
from ..notify import payloads
from ..threads import MAX_ID
from ..web import ArticleIdConverter, IdConverter
from .schemas import ErrorOut

bp = Blueprint("api_docs", __name__)

ERRORS = {
    400: "The body is not valid JSON, or the Idempotency-Key header does not fit its rule.",
    401: "No API key, or not a valid one.",
    403: (
        "The key's scope is too narrow, comments are closed, or a browser page of an origin "
        "that is not allowed sent the request."
    ),
    404: "No such comment or webhook (ids out of range are unknown ids), or no such article "
    "when articles are not created on first comment.",
    409: (
        "The comment already has that status; for a submission, the same author posted the "
        "same text on this article before (`duplicate`), or a request with this "
        "Idempotency-Key is still being answered."
    ),
    413: "The body is larger than the limit (COMMENTSVC_MAX_CONTENT_LENGTH, 64 KiB by default).",
    414: "The address (path and query) is longer than COMMENTSVC_MAX_URL_LENGTH bytes "
    "(32 KiB by default).",
    415: "The body is not JSON.",
    422: (
        "A field or the article id is not valid (`fields` names each one), or the "
        "Idempotency-Key was used for a different request."
    ),
    429: (
        "Too many requests from this address, or the same address or email posted again "
        "too soon (`too_fast`); `Retry-After` says when to try again."
    ),
    503: (
        "A service this one needs (the database, Redis) is down for now; nothing was "
        "saved. `Retry-After` says when to try again."
    ),
}
# What every answer of a keyed operation carries (ops/headers.py sets it).
NO_STORE = {
    "description": "`no-store`: answers to keyed requests hold authors' data and must sit "
    "in no cache.",
    "required": True,
    "schema": {"type": "string", "const": "no-store"},
}

DESCRIPTION = (
    "Comments for article pages: submit, read, moderate.\n\n"
    "Every path answers `OPTIONS` with an `Allow` header naming exactly the methods it "
    "serves (the public ones add CORS headers for allowed origins); any other method "
    "answers 405 in the error shape with that `Allow` header. Errors always have the "
    "one JSON shape below; unknown query parameters and fields answer 422; JSON types "
    'are strict (6.0 is the integer 6, but "6", true or 6.5 are no integers, and only '
    "true and false are booleans)."
)


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


def _text_rules(self, field, **kwargs) -> dict:
    """Every `Text` field says which characters it refuses (unless it has its own pattern)."""
    if isinstance(field, text_fields.WordList):
        return text_fields.WordList.json_schema()
    if not isinstance(field, text_fields.Text) or "pattern" in field.metadata:
        return {}
    return {
        "pattern": text_fields.text_pattern(
            multiline=field.multiline,
            trim=field.trim,
            bidi=field.bidi,
            visible=isinstance(field, text_fields.Name),
        )
    }


def build_spec(app) -> dict:
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="commentsvc",
        version="1",
        openapi_version="3.1.0",
        plugins=[plugin],
        info={"description": DESCRIPTION},
    )
    plugin.converter.add_attribute_function(_text_rules)
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
    _limits(document, app.config)
    return document


def _limits(document: dict, config) -> None:
    """The limits that come from the configuration, written into the shared schemas."""
    schemas = document["components"]["schemas"]
    body_max = int(config["BODY_MAX_LENGTH"])
    for name in ("CommentIn", "CommentEditIn"):
        body = schemas[name]["properties"]["body"]
        body["maxLength"] = body_max
        body["description"] = (
            f"The comment's text: up to {body_max:,} characters (COMMENTSVC_BODY_MAX_LENGTH) "
            "and not blank; surrounding white space is trimmed, CRLF becomes LF."
        )
        # Something other than white space; and the characters any multi-line text takes.
        body["pattern"] = r"^(?=[\s\S]*[^\s])" + body["pattern"][1:]


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
    keyed = getattr(view, "required_scope", None) is not None
    every = {"Cache-Control": NO_STORE} if keyed else {}
    responses = {
        str(status): {
            "description": description,
            **(
                {"content": {(media or ["application/json"])[0]: {"schema": schema}}}
                if schema
                else {}
            ),
            **({"headers": {**headers, **every}} if headers or every else {}),
        }
        for status, (schema, description, *media) in note["responses"].items()
    }
    errors = set(note["errors"]) | {414, 503} | ({400, 413, 415, 422} if note["body"] else set())
    if getattr(view, "required_scope", None):
        errors |= {401, 403}
    converters = {type(c) for c in rule._converters.values()}
    if IdConverter in converters:
        errors.add(404)
    if ArticleIdConverter in converters:
        errors |= {404, 422}
    for status in sorted(errors):
        responses[str(status)] = {
            "description": ERRORS[status],
            "content": {"application/json": {"schema": "Error"}},
            **({"headers": every} if every else {}),
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
    if isinstance(converter, IdConverter):
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    if isinstance(converter, ArticleIdConverter):
        return {
            "type": "string",
            "minLength": 1,
            "maxLength": text_fields.ARTICLE_ID_MAX_LENGTH,
            "pattern": text_fields.ARTICLE_ID_PATTERN,
            "description": f"The site's article id: {text_fields.ARTICLE_ID_RULE}.",
        }
    return {"type": "string"}


@bp.get("/openapi.json")
def openapi_json():
    spec = current_app.extensions.get("commentsvc.openapi")
    if spec is None:
        spec = current_app.extensions["commentsvc.openapi"] = build_spec(current_app)
    return jsonify(spec)
