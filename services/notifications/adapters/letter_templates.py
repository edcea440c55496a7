"""The letter templates (Jinja2 files) and the municipalities' letter profiles (YAML), loaded
and checked once at start-up (issue 16, part 1).

- Templates: `services/notifications/templates/letters/{kind}/{audience}.html.j2`, extending
  `_base.html.j2` and including `_rolle/{role}.html.j2`. `NOTIFICATIONS_LETTER_TEMPLATES_DIR`
  names a directory searched first: a file there with the same relative path replaces the
  built-in one, and `{code}/{kind}/{audience}.html.j2` there (or built in) is that
  municipality's own. No code changes.
- Profiles: `NOTIFICATIONS_LETTER_PROFILES_DIR` (default `services/notifications/
  letter_profiles`), one `{code}.yaml` per municipality plus `default.yaml`: letterhead,
  senders per owner role (role, team, phone, e-mail; a name only if configured), local
  paragraphs.
- Start-up renders every kind x audience x role template of every profile with a sample
  context under StrictUndefined: a missing template, a missing profile key or a field a
  template uses that the context lacks stops the service with an error naming each one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    select_autoescape,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.notifications.domain.letter_content import (
    ROLES,
    Addressee,
    PersonFacts,
    addressees,
    context,
    every_template,
    group_addressees,
    sample_facts,
    template_name,
)
from shared.contracts.letter_tasks import LetterKind

BUILT_IN_TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "letters"
BUILT_IN_PROFILES = Path(__file__).resolve().parents[1] / "letter_profiles"


class LetterSetupError(ValueError):
    """The templates or profiles cannot render every letter; the message names each problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sender(_Strict):
    role: str = Field(min_length=1, max_length=100)
    team: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=1, max_length=50)
    email: str = Field(min_length=1, max_length=200)
    name: str | None = Field(default=None, max_length=200)


class Letterhead(_Strict):
    department: str = Field(max_length=200)
    address_lines: list[str] = Field(max_length=6)
    web: str = Field(max_length=200)


class LetterProfile(_Strict):
    code: str = Field(pattern=r"^([0-9]{3}|default)$")
    municipality_name: str = Field(min_length=1, max_length=200)
    letterhead: Letterhead
    senders: dict[str, Sender]
    local_paragraphs: dict[str, list[str]]

    def sender_for(self, owner_role: str) -> Sender:
        return self.senders.get(owner_role) or self.senders["default"]


@dataclass(frozen=True)
class RenderedLetter:
    """One copy as HTML, ready for the PDF engine."""

    addressee: Addressee
    html: str


class LetterBook:
    """Every municipality's templates and letter profile, checked at construction."""

    def __init__(
        self,
        profiles_dir: Path | None = None,
        templates_dir: Path | None = None,
        *,
        built_in: bool = True,
    ):
        """`templates_dir` is searched before the built-in templates (`built_in=False`: it is
        the only source, as a deployment that ships its own complete set)."""
        self.profiles = load_profiles(profiles_dir or BUILT_IN_PROFILES)
        search = [str(templates_dir)] if templates_dir is not None else []
        if built_in:
            search.append(str(BUILT_IN_TEMPLATES))
        self.environment = Environment(
            loader=ChoiceLoader([FileSystemLoader(search)]),
            undefined=StrictUndefined,
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._versions: dict[str, str] = {}
        self.validate()

    def profile(self, municipality_code: str) -> LetterProfile:
        return self.profiles.get(municipality_code) or self.profiles["default"]

    def template(self, municipality_code: str, kind: LetterKind, audience: str) -> Template:
        name = template_name(kind, audience)  # type: ignore[arg-type]
        return self.environment.select_template([f"{municipality_code}/{name}", name])

    def version(self, municipality_code: str) -> str:
        """A hash of everything a letter of this municipality is rendered from: every template
        file it can use and its profile. Recorded in the `sent` event."""
        code = self.profile(municipality_code).code
        if code not in self._versions:
            digest = hashlib.sha256(self.profile(code).model_dump_json().encode())
            for name in sorted(self.environment.list_templates()):
                if "/" in name and name.split("/")[0].isdigit() and name.split("/")[0] != code:
                    continue  # another municipality's own template
                source, _, _ = self.environment.loader.get_source(self.environment, name)  # type: ignore[union-attr]
                digest.update(name.encode() + b"\0" + source.encode())
            self._versions[code] = "tpl-" + digest.hexdigest()[:16]
        return self._versions[code]

    def render(
        self,
        *,
        municipality_code: str,
        kind: LetterKind,
        recipients: list[Any],
        owner_role: str,
        facts: PersonFacts,
        journal_number: str | None,
        today: Any,
        group: bool = False,
    ) -> list[RenderedLetter]:
        """`group`: a letter to a group (the acute standard letter), handed out unaddressed."""
        profile = self.profile(municipality_code)
        sender = profile.sender_for(owner_role).model_dump()
        rendered = []
        copies = group_addressees(recipients) if group else addressees(recipients, facts)
        for addressee in copies:
            values = context(
                kind=kind,
                addressee=addressee,
                facts=facts,
                journal_number=journal_number,
                profile=profile.model_dump(),
                sender=sender,
                today=today,
            )
            template = self.template(municipality_code, kind, addressee.audience)
            rendered.append(RenderedLetter(addressee, template.render(values)))
        return rendered

    def validate(self) -> None:
        """Render every kind x audience x role of every profile with a sample context."""
        from datetime import UTC, datetime

        problems: list[str] = []
        today = datetime(2026, 11, 16, tzinfo=UTC)
        for code, profile in sorted(self.profiles.items()):
            for kind, audience in every_template():
                age = 19 if audience == "den_unge_voksne" else 16
                recipient = "parents" if audience == "foraeldre" else "youth"
                for role in ROLES:
                    where = (
                        f"template {template_name(kind, audience)} (profile {code}, role {role})"
                    )
                    try:
                        self.render(
                            municipality_code=profile.code,
                            kind=kind,
                            recipients=[recipient],
                            owner_role="tovholder",
                            facts=sample_facts(role, age),
                            journal_number="3700-80123-00456-26",
                            today=today,
                        )
                    except TemplateNotFound as missing:
                        problems.append(f"{where}: template file missing: {missing.name}")
                    except TemplateError as error:
                        problems.append(f"{where}: {error.message}")
        if problems:
            raise LetterSetupError(
                "letters cannot be rendered:\n  " + "\n  ".join(dict.fromkeys(problems))
            )


def load_profiles(directory: Path) -> dict[str, LetterProfile]:
    problems: list[str] = []
    profiles: dict[str, LetterProfile] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
            profile = LetterProfile.model_validate(document)
        except yaml.YAMLError as error:
            problems.append(f"{path}: not YAML ({error})")
            continue
        except ValidationError as error:
            for problem in error.errors():
                field = ".".join(str(part) for part in problem["loc"])
                problems.append(f"{path}: {field}: {problem['msg']}")
            continue
        if "default" not in profile.senders:
            problems.append(f"{path}: senders.default: Field required")
        profiles[profile.code] = profile
    if "default" not in profiles:
        problems.append(f"{directory}: no default.yaml (code: default)")
    if problems:
        raise LetterSetupError("letter profiles are incomplete:\n  " + "\n  ".join(problems))
    return profiles
