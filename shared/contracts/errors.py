"""Turn bad input into :class:`FieldProblem` lists that are safe to publish, log and return.

No message ever contains the input value: pydantic's own message is used only for error types
known not to echo the input (and even then it is dropped if the input turns up in it).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared.contracts.common import JOURNAL_NUMBER_PATTERN
from shared.contracts.incidents import PoliceIncident
from shared.contracts.rejections import Channel, FieldProblem, IntakeRejection, rejected_path

__all__ = [
    "INVALID_JSON",
    "MESSAGE_TOO_LARGE",
    "WHOLE_DOCUMENT",
    "build_rejection",
    "describe_validation_error",
    "loc_to_path",
    "parse_bytes",
    "problems_for_bytes",
    "salvage_identity",
]

M = TypeVar("M", bound=BaseModel)

INVALID_JSON = "invalid_json"
MESSAGE_TOO_LARGE = "message_too_large"
WHOLE_DOCUMENT = "$"

_JOURNAL_NUMBER_RE = re.compile(JOURNAL_NUMBER_PATTERN)

# Error types whose pydantic message describes the expectation, never the input.
_SAFE_MESSAGE_TYPES = frozenset(
    {
        "missing",
        "string_type",
        "string_pattern_mismatch",
        "string_too_short",
        "string_too_long",
        "int_type",
        "int_parsing",
        "int_from_float",
        "bool_type",
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "literal_error",
        "list_type",
        "too_short",
        "too_long",
        "dict_type",
        "model_type",
        "model_attributes_type",
        "datetime_type",
        "datetime_parsing",
        "datetime_from_date_parsing",
        "timezone_aware",
        "cpr_format",
        "cpr_date",
        "cpr_in_name",
        "not_a_name",
    }
)


def loc_to_path(loc: Sequence[int | str]) -> str:
    """``("persons", 0, "cpr")`` → ``"persons[0].cpr"``; ``()`` → ``"$"``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or WHOLE_DOCUMENT


def _echoes_input(message: str, value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return False
    text = str(value)
    return len(text) >= 3 and text in message


def describe_validation_error(exc: ValidationError) -> list[FieldProblem]:
    """One :class:`FieldProblem` per error, with a path such as ``persons[0].cpr``."""
    problems = []
    for err in exc.errors(include_url=False):
        code = err["type"]
        message = err["msg"]
        if code not in _SAFE_MESSAGE_TYPES or _echoes_input(message, err.get("input")):
            message = f"invalid value ({code})"
        problems.append(FieldProblem(field=loc_to_path(err["loc"]), code=code, message=message))
    return problems


def _invalid_json(message: str) -> list[FieldProblem]:
    return [FieldProblem(field=WHOLE_DOCUMENT, code=INVALID_JSON, message=message)]


def _reject_constant(name: str) -> Any:
    raise ValueError("NaN and Infinity are not JSON")


def _load_object(raw: bytes) -> tuple[dict[str, Any] | None, list[FieldProblem]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, _invalid_json("the message is not valid UTF-8")
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return None, _invalid_json(
            f"the message is not valid JSON (line {exc.lineno}, column {exc.colno})"
        )
    except (ValueError, RecursionError):
        return None, _invalid_json("the message is not valid JSON")
    if not isinstance(doc, dict):
        return None, _invalid_json("the message must be a JSON object")
    return doc, []


def parse_bytes(raw: bytes, model: type[M]) -> tuple[M | None, list[FieldProblem]]:
    """Parse and validate a UTF-8 JSON object; exactly one of the two results is non-empty.

    pydantic's own JSON parser is tried first: it costs half of decoding to Python objects
    and validating those, which every consumer does for every message. Whatever it refuses
    takes the general path, which names the problems as it always did; and so does a value
    naming NaN or Infinity anywhere, which the general path rejects (not JSON) and pydantic's
    parser would read as floats."""
    if b"NaN" not in raw and b"Infinity" not in raw:
        try:
            return model.model_validate_json(raw), []
        except ValidationError:
            pass
    return parse_loaded(raw, model)


def parse_loaded(raw: bytes, model: type[M]) -> tuple[M | None, list[FieldProblem]]:
    """`parse_bytes` by the general path alone: `json.loads`, then the model."""
    doc, problems = _load_object(raw)
    if doc is None:
        return None, problems
    try:
        return model.model_validate(doc), []
    except ValidationError as exc:
        return None, describe_validation_error(exc)


def problems_for_bytes(raw: bytes) -> tuple[PoliceIncident | None, list[FieldProblem]]:
    """Parse a police incident from raw message bytes."""
    return parse_bytes(raw, PoliceIncident)


def salvage_identity(raw: bytes) -> tuple[str | None, int | None]:
    """The journal number (only if it matches the pattern) and revision (only if an integer
    >= 1) of a possibly invalid incident, for the rejection record."""
    doc, _ = _load_object(raw)
    if doc is None:
        return None, None
    journal_number = doc.get("journal_number")
    revision = doc.get("revision")
    return (
        journal_number
        if isinstance(journal_number, str) and _JOURNAL_NUMBER_RE.fullmatch(journal_number)
        else None,
        revision
        if isinstance(revision, int) and not isinstance(revision, bool) and revision >= 1
        else None,
    )


def build_rejection(
    raw: bytes,
    problems: Sequence[FieldProblem],
    *,
    channel: Channel,
    reference: str | None = None,
    received_at: datetime | None = None,
) -> IntakeRejection:
    """An :class:`IntakeRejection` for ``raw``; the caller keeps ``raw`` under ``reference``."""
    ref = reference or str(uuid.uuid4())
    # An oversized message is not parsed at all, not even for its journal number.
    oversized = any(problem.code == MESSAGE_TOO_LARGE for problem in problems)
    journal_number, revision = (None, None) if oversized else salvage_identity(raw)
    return IntakeRejection(
        reference=ref,
        received_at=received_at or datetime.now(UTC),
        channel=channel,
        journal_number=journal_number,
        revision=revision,
        reasons=list(problems),
        retrievable_at=rejected_path(ref),
    )
