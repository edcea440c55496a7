"""Pydantic's validation errors said in words a person can act on: what the field allows, from
its own metadata (description, example, bounds), never a regular expression, a pydantic error
code or a Python type name, and never the value that was sent.

    problems = field_problems(exc.errors(), route)   # [{"field", "code", "message"}, ...]

`code` is one of the platform's own stable codes (`PROBLEM_CODES`), not pydantic's."""

from __future__ import annotations

import re
import types
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from shared.contracts.errors import WHOLE_DOCUMENT as WHOLE_BODY
from shared.contracts.errors import loc_to_path
from shared.pattern_words import describe_pattern

MAX_PROBLEMS = 50
"""A body with thousands of bad items gets the first fifty (the answer stays bounded)."""

PROBLEM_CODES = {
    "missing": "this field is required",
    "unknown_field": "this field is not part of the request",
    "too_long": "too long",
    "too_short": "too short",
    "too_large": "too large",
    "too_small": "too small",
    "not_allowed": "not one of the allowed values",
    "wrong_format": "not in the expected format",
    "wrong_type": "of the wrong kind",
    "invalid_json": "the body is not valid JSON",
    "invalid": "not valid",
}
"""Our codes for a field's problem, each with its generic message (used only when the field
says nothing better)."""

_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})
_KINDS: dict[str, tuple[str, str]] = {
    "string_type": ("wrong_type", "text"),
    "string_unicode": ("wrong_type", "text"),
    "int_type": ("wrong_type", "a whole number"),
    "int_parsing": ("wrong_type", "a whole number"),
    "int_from_float": ("wrong_type", "a whole number"),
    "float_type": ("wrong_type", "a number"),
    "float_parsing": ("wrong_type", "a number"),
    "decimal_type": ("wrong_type", "a number"),
    "decimal_parsing": ("wrong_type", "a number"),
    "finite_number": ("wrong_type", "a finite number"),
    "bool_type": ("wrong_type", "true or false"),
    "bool_parsing": ("wrong_type", "true or false"),
    "dict_type": ("wrong_type", "a JSON object"),
    "model_type": ("wrong_type", "a JSON object"),
    "model_attributes_type": ("wrong_type", "a JSON object"),
    "list_type": ("wrong_type", "a list"),
    "tuple_type": ("wrong_type", "a list"),
    "set_type": ("wrong_type", "a list of distinct values"),
    "uuid_type": ("wrong_format", "a UUID like 3f0c2a5e-9b1d-5c4e-8a7f-1b2c3d4e5f60"),
    "uuid_parsing": ("wrong_format", "a UUID like 3f0c2a5e-9b1d-5c4e-8a7f-1b2c3d4e5f60"),
    "datetime_type": ("wrong_format", "a date and time like 2026-11-16T08:12:00+01:00"),
    "datetime_parsing": ("wrong_format", "a date and time like 2026-11-16T08:12:00+01:00"),
    "datetime_from_date_parsing": (
        "wrong_format",
        "a date and time like 2026-11-16T08:12:00+01:00",
    ),
    "datetime_object_invalid": ("wrong_format", "a date and time like 2026-11-16T08:12:00+01:00"),
    "timezone_aware": (
        "wrong_format",
        "a date and time with its offset from UTC, like 2026-11-16T08:12:00+01:00",
    ),
    "timezone_naive": ("wrong_format", "a date and time without an offset"),
    "date_type": ("wrong_format", "a date like 2026-11-16"),
    "date_parsing": ("wrong_format", "a date like 2026-11-16"),
    "date_from_datetime_parsing": ("wrong_format", "a date like 2026-11-16"),
    "date_from_datetime_inexact": ("wrong_format", "a date like 2026-11-16, without a time"),
    "time_type": ("wrong_format", "a time like 08:12"),
    "time_parsing": ("wrong_format", "a time like 08:12"),
    "url_type": ("wrong_format", "a URL"),
    "url_parsing": ("wrong_format", "a URL"),
    "url_scheme": ("wrong_format", "an http or https URL"),
    "bytes_type": ("wrong_type", "text"),
    "none_required": ("wrong_type", "null"),
    "json_type": ("wrong_type", "JSON"),
    "is_instance_of": ("wrong_type", "a value of the documented kind"),
}
_EXAMPLE_LIMIT = 60


def field_problems(errors: Iterable[Mapping[str, Any]], route: Any = None) -> list[dict[str, str]]:
    """One problem per error (at most `MAX_PROBLEMS`), each naming the field by its path in the
    request (`persons[0].cpr`, `limit`) and saying what it allows."""
    problems: list[dict[str, str]] = []
    for error in errors:
        if len(problems) >= MAX_PROBLEMS:
            break
        loc = tuple(error.get("loc", ()))
        kind = str(error.get("type", ""))
        if kind == "json_invalid":
            problems.append(_problem(WHOLE_BODY, "invalid_json", PROBLEM_CODES["invalid_json"]))
            continue
        info = _field_info(route, loc)
        code, message = describe_error(kind, error.get("ctx") or {}, info)
        problems.append(_problem(field_path(loc), code, message))
    return problems


def _problem(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


def field_path(loc: Sequence[int | str]) -> str:
    """`("body", "persons", 0, "cpr")` → `persons[0].cpr`; the body itself → `$`."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return loc_to_path(parts)


def describe_error(
    kind: str, ctx: Mapping[str, Any], info: FieldInfo | None = None
) -> tuple[str, str]:
    """Our code and a message saying what is allowed, for one pydantic error."""
    if kind == "missing":
        return "missing", PROBLEM_CODES["missing"]
    if kind == "extra_forbidden":
        return "unknown_field", PROBLEM_CODES["unknown_field"]
    if kind == "string_too_long":
        return "too_long", f"at most {_count(ctx, 'max_length', 'character')}"
    if kind == "string_too_short":
        return "too_short", f"at least {_count(ctx, 'min_length', 'character')}"
    if kind in {"too_long", "too_short"}:
        bound = "max_length" if kind == "too_long" else "min_length"
        words = "at most" if kind == "too_long" else "at least"
        return kind, f"{words} {_count(ctx, bound, 'item')}"
    if kind in {"less_than", "less_than_equal", "greater_than", "greater_than_equal"}:
        return _bound(kind, ctx)
    if kind in {"literal_error", "enum"}:
        return "not_allowed", f"one of: {_plain(str(ctx.get('expected', '')))}"
    if kind == "string_pattern_mismatch":
        return "wrong_format", _format_words(info, str(ctx.get("pattern", "")))
    if kind in _KINDS:
        code, words = _KINDS[kind]
        return code, words
    if kind in {"value_error", "assertion_error"}:
        return "invalid", _own_words(ctx, info)
    return "invalid", _allowed(info) or PROBLEM_CODES["invalid"]


def _count(ctx: Mapping[str, Any], key: str, noun: str) -> str:
    n = ctx.get(key)
    if isinstance(n, int):
        return f"{n} {noun}{'' if n == 1 else 's'}"
    return f"the allowed number of {noun}s"


def _bound(kind: str, ctx: Mapping[str, Any]) -> tuple[str, str]:
    words = {
        "less_than": ("too_large", "less than", "lt"),
        "less_than_equal": ("too_large", "at most", "le"),
        "greater_than": ("too_small", "more than", "gt"),
        "greater_than_equal": ("too_small", "at least", "ge"),
    }
    code, text, key = words[kind]
    return code, f"{text} {ctx.get(key, 'the allowed bound')}"


def _plain(expected: str) -> str:
    """pydantic's list of allowed values (`'a', 'b' or 'c'`) without its quotes."""
    return expected.replace("'", "")


def _format_words(info: FieldInfo | None, pattern: str) -> str:
    return _allowed(info) or describe_pattern(pattern)


def _own_words(ctx: Mapping[str, Any], info: FieldInfo | None) -> str:
    """A validator of ours raised ValueError with a message written for people; pydantic's
    prefix is dropped, and a message that looks like a pattern is not used."""
    error = ctx.get("error")
    text = str(error) if error is not None else ""
    if text and not looks_technical(text):
        return text
    return _allowed(info) or PROBLEM_CODES["invalid"]


def _allowed(info: FieldInfo | None) -> str | None:
    """What the field's own metadata says it allows: its description and first example."""
    if info is None:
        return None
    description = (info.description or "").strip()
    if looks_technical(description) or len(description) > 200:
        description = ""
    example = None
    if info.examples:
        first = info.examples[0]
        if isinstance(first, (str, int)) and not isinstance(first, bool) and str(first):
            example = str(first)[:_EXAMPLE_LIMIT]
    if description and example:
        return f"{description.rstrip('.')}, like {example}"
    if example:
        return f"a value like {example}"
    return description or None


_TECHNICAL = re.compile(
    r"\[[^\]]*\]|\{\d*,?\d*\}|\\[dwsDWS]|\^|\$\Z|\(\?|"
    r"\b(?:string_pattern_mismatch|literal_error|int_parsing|value_error|str|int|float|bool|"
    r"dict|NoneType|pydantic)\b"
)


def looks_technical(text: str) -> bool:
    """Text that holds a regular expression, a pydantic error code or a Python type name."""
    return _TECHNICAL.search(text) is not None


# --- the field a location names ---------------------------------------------------------------
def _field_info(route: Any, loc: Sequence[int | str]) -> FieldInfo | None:
    if not isinstance(route, APIRoute) or not loc:
        return None
    where, rest = loc[0], list(loc[1:])
    try:
        if where == "body":
            return _body_field(route, rest)
        params = {
            "query": route.dependant.query_params,
            "path": route.dependant.path_params,
            "header": route.dependant.header_params,
            "cookie": route.dependant.cookie_params,
        }.get(str(where), [])
        for param in params:
            if rest and rest[0] in {param.name, param.alias}:
                return param.field_info
    except (AttributeError, KeyError, TypeError, IndexError):
        return None
    return None


def _body_field(route: APIRoute, rest: list[int | str]) -> FieldInfo | None:
    body = route.body_field
    if body is None:
        return None
    return _walk(body.field_info.annotation, body.field_info, rest)


def _walk(annotation: Any, info: FieldInfo | None, rest: Sequence[int | str]) -> FieldInfo | None:
    for part in rest:
        annotation = _unwrap(annotation, part)
        if isinstance(part, int):
            continue
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        info = _model_field(annotation, str(part))
        if info is None:
            return None
        annotation = info.annotation
    return info


def _model_field(model: type[BaseModel], name: str) -> FieldInfo | None:
    for field_name, info in model.model_fields.items():
        if name in {field_name, info.alias, info.validation_alias}:
            return info
    return None


def _unwrap(annotation: Any, part: int | str) -> Any:
    """The type a location part looks into: the item type of a list for an index, the model
    among a union's members for a name."""
    for _ in range(8):
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
            annotation = models[0] if models and isinstance(part, str) else members[0]
        elif isinstance(part, int) and origin in (list, tuple, set, frozenset):
            args = get_args(annotation)
            return args[0] if args else Any
        else:
            return annotation
    return annotation
