"""A kept rejection's problems as people read them: each message says what the field takes,
never a regular expression (pydantic's `string_pattern_mismatch` names its pattern).

Rejections are kept as they were recorded; this rewrites the messages when they are shown, so
it holds for rejections recorded before as well."""

from __future__ import annotations

from collections.abc import Mapping

PATTERN_MISMATCH = "string_pattern_mismatch"

ALLOWED_FORMS = {
    "journal_number": "a police journal number: four, five, five and two digits separated by "
    "hyphens, e.g. 3700-80123-00456-26",
    "municipality_code": "a Danish municipality code: three digits, e.g. 607",
    "cpr": "a CPR number: ten digits, DDMMYY-SSSS, the hyphen optional",
}
"""By the last name of the field's path: what a field with a pattern takes."""

OTHER_FORM = "a value of the form the contract describes for this field (docs/contracts.md)"


def _last_name(path: str) -> str:
    return path.rsplit(".", 1)[-1].split("[", 1)[0]


def readable_problem(problem: Mapping[str, str]) -> dict[str, str]:
    """`{field, code, message}` with a message that says what is allowed."""
    field, code, message = problem["field"], problem["code"], problem["message"]
    if code == PATTERN_MISMATCH or "pattern" in message:
        message = "must be " + ALLOWED_FORMS.get(_last_name(field), OTHER_FORM)
    return {"field": field, "code": code, "message": message}
