"""The OpenAPI schema says every answer an operation can give, not only its success.

A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) adds the
error answers the API's conventions produce (opinion_ops.api.exception_handler, DRF's own
exceptions, opinion_ops.inputs) to each operation that can give them, with their bodies:

* 400 where the operation reads input (a body or a query string): the fields named, each with
  its messages, or `detail` for a body that is not JSON or not an object;
* 401 for a request without valid credentials (TokenAuthentication comes first, so the answer
  carries `WWW-Authenticate: Token`), 403 for a role or unit that may not;
* 404 where the path names a record, or a list is paged (`?page=` past the last);
* 409 for a verb refused in the record's state or on a stale revision;
* 415 for a body in a media type the operation does not parse; 429 when a rate limit applies.

An operation that declares one of these itself (extend_schema) keeps its own.
"""
ERROR_SCHEMAS = {
    "ErrorDetail": {
        "type": "object",
        "description": "A refusal: what was refused and why.",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": "Each field (or `detail`, `non_field_errors`) with what is wrong with it; "
                       "a nested field has its own object, a list field one entry per item.",
        "additionalProperties": {"$ref": "#/components/schemas/FieldErrors"},
    },
    "FieldErrors": {
        "anyOf": [{"type": "string"},
                  {"type": "array", "items": {"anyOf": [
                      {"type": "string"}, {"type": "object", "additionalProperties": {}}]}},
                  {"type": "object", "additionalProperties": {}}],
    },
    "Conflict": {
        "type": "object",
        "description": "A verb refused in the record's present state or revision.",
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string", "enum": ["transition_not_allowed", "stale_revision",
                                                "concurrent_transition"]},
            "state": {"type": "string", "nullable": True},
            "expected_revision": {"type": "integer", "nullable": True},
            "current_revision": {"type": "integer", "nullable": True},
        },
        "required": ["detail"],
    },
}


def _answer(description: str, schema: str, headers: dict | None = None) -> dict:
    answer = {"description": description,
              "content": {"application/json": {"schema": {
                  "$ref": f"#/components/schemas/{schema}"}}}}
    if headers:
        answer["headers"] = headers
    return answer


def _errors_for(method: str, operation: dict) -> dict[str, dict]:
    parameters = operation.get("parameters", [])
    in_path = any(p.get("in") == "path" for p in parameters)
    paged = any(p.get("in") == "query" and p.get("name") == "page" for p in parameters)
    takes_body = "requestBody" in operation
    reads_input = takes_body or any(p.get("in") == "query" for p in parameters)
    answers = {
        "401": _answer("Not authenticated: no session or API token, or an invalid one.",
                       "ErrorDetail", {"WWW-Authenticate": {"schema": {"type": "string"}}}),
        "403": _answer("Refused: the person's role or unit may not do this.", "ErrorDetail"),
        "429": _answer("Too many requests; try again later.", "ErrorDetail"),
    }
    if reads_input:
        answers["400"] = _answer("Invalid input: each field with what is wrong with it.",
                                 "ValidationErrors")
    if in_path or paged:
        answers["404"] = _answer("No such record that this person may see (or page).",
                                 "ErrorDetail")
    if method == "post" and in_path:
        answers["409"] = _answer("Refused in the record's present state or revision.",
                                 "Conflict")
    if takes_body:
        answers["415"] = _answer("A body in a media type this operation does not read.",
                                 "ErrorDetail")
    return answers


def declare_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: add each operation's error answers and their schemas."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in ERROR_SCHEMAS.items():
        schemas.setdefault(name, schema)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, answer in _errors_for(method, operation).items():
                operation["responses"].setdefault(code, answer)
    return result
