"""Reads the municipality profiles (one YAML file per municipality) and validates them at
start. Every problem is reported at once, each naming the file, the key and what is wrong, so a
broken profile stops the service with a message its author can act on.

File names: `<code>-<name>.yaml` (e.g. `657-herning.yaml`), and `default.yaml` for the default
profile; the `code` inside must match the name.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from services.triage.domain.profiles import (
    DEFAULT_PROFILE_CODE,
    MunicipalityProfile,
    ProfileBook,
)

#: The profiles shipped with the service.
PACKAGED_PROFILES_DIR = Path(__file__).resolve().parents[1] / "profiles"


class ProfileError(ValueError):
    """One or more profiles are invalid; `problems` lists each as "file: key: what"."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            "invalid municipality profiles:\n" + "\n".join(f"  {p}" for p in self.problems)
        )


def load_profiles(directory: Path) -> ProfileBook:
    if not directory.is_dir():
        raise ProfileError([f"{directory}: not a directory (TRIAGE_PROFILES_DIR)"])
    problems: list[str] = []
    profiles: dict[str, MunicipalityProfile] = {}
    files: dict[str, str] = {}
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        profile = _read(path, problems)
        if profile is None:
            continue
        if profile.code in files:
            problems.append(
                f"{path.name}: code: '{profile.code}' is also the code of {files[profile.code]}"
            )
            continue
        files[profile.code] = path.name
        profiles[profile.code] = profile
    default = profiles.pop(DEFAULT_PROFILE_CODE, None)
    if default is None:
        problems.append(f"{directory}: no default profile (default.yaml with code: default)")
    if problems:
        raise ProfileError(problems)
    assert default is not None
    return ProfileBook(profiles=profiles, default=default)


def _read(path: Path, problems: list[str]) -> MunicipalityProfile | None:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        problems.append(f"{path.name}: not valid YAML{line}: {getattr(exc, 'problem', exc)}")
        return None
    if not isinstance(document, dict):
        problems.append(f"{path.name}: (top level): expected a mapping of keys to values")
        return None
    try:
        profile = MunicipalityProfile.model_validate(document)
    except ValidationError as exc:
        problems.extend(f"{path.name}: {p}" for p in _describe(exc))
        return None
    expected = _code_from_file_name(path)
    if profile.code != expected:
        problems.append(
            f"{path.name}: code: '{profile.code}' does not match the file name (expected "
            f"'{expected}')"
        )
        return None
    return profile


def _code_from_file_name(path: Path) -> str:
    return path.stem if path.stem == DEFAULT_PROFILE_CODE else path.stem.split("-", 1)[0]


def _describe(exc: ValidationError) -> list[str]:
    """ "key.path: what is wrong" for each error. Our own cross-field checks report several
    problems in one message, each starting with its key relative to where the check ran."""
    described = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        if error["type"] == "value_error":
            message = error["msg"].removeprefix("Value error, ")
            for problem in message.split("; "):
                key, _, what = problem.partition(": ")
                described.append(f"{_key([*loc, key])}: {what}")
            continue
        described.append(f"{_key(loc)}: {error['msg']}{_got(error)}")
    return described


def _key(parts: Sequence[str]) -> str:
    return ".".join(parts) or "(top level)"


def _got(error: Any) -> str:
    value = error.get("input")
    if error["type"] == "missing" or isinstance(value, (dict, list)):
        return ""
    return f" (got {value!r})"
