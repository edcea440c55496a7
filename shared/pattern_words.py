"""A field's pattern said in words, for an error message: the platform's well-known formats by
name (journal number, municipality code, ...), any other pattern as the characters it allows
or an example of text that matches it. Never the regular expression itself."""

from __future__ import annotations

import re
from typing import Any

from shared.contracts.common import JOURNAL_NUMBER_PATTERN, MUNICIPALITY_CODE_PATTERN
from shared.contracts.cpr import CPR_PATTERN

try:  # Python 3.11+: the parser behind `re`
    from re import _parser as regex_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse as regex_parser

KNOWN_FORMATS: dict[str, str] = {
    JOURNAL_NUMBER_PATTERN: "a police journal number like 3700-80123-00456-26 "
    "(4, 5, 5 and 2 digits joined by hyphens)",
    MUNICIPALITY_CODE_PATTERN: "a Danish municipality code: three digits, like 607",
    CPR_PATTERN: "a CPR number: ten digits, with or without a hyphen after the sixth",
    r"^pk_[0-9a-f]{16,64}$": "a person key: pk_ and 16 to 64 digits or letters a to f, "
    "like pk_9f2c4e1a7b3d5e6f",
    r"^[0-9]{4}-W[0-9]{2}$": "an ISO week like 2026-W47",
    r"^[0-9]{3}/[0-9]{4}-W[0-9]{2}$": "a meeting: municipality code and ISO week, like "
    "607/2026-W49",
    r"^([0-9]{3}|default)$": "a municipality code (three digits) or default",
}
"""The platform's formats in words, by the pattern that checks them."""

_MAX_EXAMPLE = 40


def describe_pattern(pattern: str) -> str:
    """What text matching `pattern` looks like, in words."""
    if pattern in KNOWN_FORMATS:
        return KNOWN_FORMATS[pattern]
    try:
        items = [i for i in regex_parser.parse(pattern) if i[0] is not regex_parser.AT]
    except (re.error, RecursionError, TypeError):
        return "text in the documented format"
    single = _single_class(items)
    if single is not None:
        return single
    example = "".join(_example(items))[:_MAX_EXAMPLE]
    return f"text like {example}" if example else "text in the documented format"


def _single_class(items: list[Any]) -> str | None:
    """`[a-z0-9_]{1,40}`: "1 to 40 characters: letters a to z, digits or _"."""
    if len(items) != 1 or items[0][0] is not regex_parser.MAX_REPEAT:
        return None
    low, high, sub = items[0][1]
    if len(sub) != 1 or sub[0][0] is not regex_parser.IN:
        return None
    chars = _class_words(sub[0][1])
    if high is regex_parser.MAXREPEAT:
        return f"at least {low} character{'' if low == 1 else 's'}: {chars}"
    count = f"{low}" if low == high else f"{low} to {high}"
    return f"{count} characters: {chars}"


_RANGES = {
    (ord("0"), ord("9")): "digits",
    (ord("a"), ord("z")): "letters a to z",
    (ord("A"), ord("Z")): "capital letters A to Z",
    (ord("a"), ord("f")): "letters a to f",
}
_CATEGORIES = {
    "CATEGORY_DIGIT": "digits",
    "CATEGORY_WORD": "letters, digits or _",
    "CATEGORY_SPACE": "spaces",
}


def _class_words(members: list[Any]) -> str:
    words: list[str] = []
    literals = ""
    negate = False
    for op, value in members:
        if op is regex_parser.NEGATE:
            negate = True
        elif op is regex_parser.RANGE:
            words.append(_RANGES.get(value, f"{chr(value[0])} to {chr(value[1])}"))
        elif op is regex_parser.LITERAL:
            literals += chr(value)
        elif op is regex_parser.CATEGORY:
            words.append(_CATEGORIES.get(str(value), "certain characters"))
    letters = "".join(c for c in literals if c.isalpha())
    others = [("a space" if c == " " else f'"{c}"') for c in literals if not c.isalpha()]
    if letters:
        words.append(letters)
    words.extend(others)
    text = ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1] if words else ""
    return f"anything but {text}" if negate else text


def _example(items: Any) -> list[str]:
    out: list[str] = []
    for op, value in items:
        if op is regex_parser.LITERAL:
            out.append(chr(value))
        elif op is regex_parser.IN:
            out.append(_class_example(value))
        elif op is regex_parser.ANY:
            out.append("x")
        elif op in (regex_parser.MAX_REPEAT, regex_parser.MIN_REPEAT):
            low, _high, sub = value
            out.extend(_example(sub) * max(low, 1))
        elif op is regex_parser.SUBPATTERN:
            out.extend(_example(value[-1]))
        elif op is regex_parser.BRANCH:
            out.extend(_example(value[1][0]))
    return out


def _class_example(members: list[Any]) -> str:
    for op, value in members:
        if op is regex_parser.RANGE:
            return chr(value[0])
        if op is regex_parser.LITERAL:
            return chr(value)
        if op is regex_parser.CATEGORY:
            return " " if "SPACE" in str(value) else "0" if "DIGIT" in str(value) else "a"
    return "x"
