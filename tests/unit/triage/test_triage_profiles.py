"""Municipality profiles are read and validated at start; every problem names the file, the
key and what is wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from services.triage.adapters.profile_files import (
    PACKAGED_PROFILES_DIR,
    ProfileError,
    load_profiles,
)
from services.triage.bootstrap import definition
from services.triage.domain import profiles as profiles_module
from services.triage.domain.profiles import MunicipalityProfile
from services.triage.settings import TriageSettings
from shared.contracts.incidents import OFFENCE_CODES

SHIPPED = {"607": "Fredericia", "376": "Guldborgsund", "657": "Herning", "161": "Glostrup"}
SHIPPED["575"] = "Vejen"


@pytest.fixture
def profiles_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped profiles."""
    target = tmp_path / "profiles"
    shutil.copytree(PACKAGED_PROFILES_DIR, target)
    return target


def edit(path: Path, change: dict[str, object]) -> None:
    """Set dotted keys of a YAML profile (a value of None deletes the key)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dotted, value in change.items():
        *parents, last = dotted.split(".")
        node = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if value is None:
            del node[last]
        else:
            node[last] = value
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(ProfileError) as raised:
        load_profiles(directory)
    return raised.value.problems


def test_the_five_seed_municipalities_and_the_default_are_shipped() -> None:
    book = load_profiles(PACKAGED_PROFILES_DIR)
    assert {code: p.name for code, p in book.profiles.items()} == SHIPPED
    assert book.default.code == "default"
    for profile in book.all():
        assert set(profile.severity.offences) == set(OFFENCE_CODES)
        assert profile.youth_letter_age == 15
        assert profile.source.startswith("seeds/") or profile.is_default


def test_an_unconfigured_municipality_gets_the_default_profile() -> None:
    book = load_profiles(PACKAGED_PROFILES_DIR)
    assert book.for_municipality("999") is book.default
    assert book.for_municipality("657").name == "Herning"


def test_herning_schools_map_to_the_three_districts() -> None:
    herning = load_profiles(PACKAGED_PROFILES_DIR).profiles["657"]
    assert set(herning.districts) == {"nord", "midt", "syd"}
    assert herning.district_of("Gullestrup Skole") == "midt"
    assert herning.district_of("  gullestrup   SKOLE ") == "midt"  # case and spacing ignored
    assert herning.district_of("Ukendt Skole") is None
    assert herning.district_of(None) is None


def test_the_district_lookup_normalises_only_the_name_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The schools are normalised once, when the profile is read: a lookup per person does
    not walk and normalise every school of the municipality."""
    herning = load_profiles(PACKAGED_PROFILES_DIR).profiles["657"]
    assert len(herning.schools) > 10
    asked: list[str] = []

    def counting_school_key(school: str) -> str:
        asked.append(school)
        return original(school)

    original = profiles_module.school_key
    monkeypatch.setattr(profiles_module, "school_key", counting_school_key)
    assert herning.district_of("  KIBÆK  skole") == "syd"
    assert herning.district_of("Ukendt Skole") is None
    assert asked == ["  KIBÆK  skole", "Ukendt Skole"]
    # A profile validated from a document gets its own lookup.
    copy = MunicipalityProfile.model_validate(herning.model_dump())
    assert copy.district_of("sunds skole") == "nord"


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        (
            "657-herning.yaml",
            {"severity.offences.vold": "very high"},
            "657-herning.yaml: severity.offences.vold: Input should be 'low', 'medium' or "
            "'high' (got 'very high')",
        ),
        (
            "607-fredericia.yaml",
            {"severity.offences.tyveri": None},
            "607-fredericia.yaml: severity.offences: no severity for tyveri",
        ),
        (
            "376-guldborgsund.yaml",
            {"youth_letter_age": 19},
            "376-guldborgsund.yaml: youth_letter_age: Input should be less than or equal to 18 "
            "(got 19)",
        ),
        (
            "575-vejen.yaml",
            {"deadlines_hours.tovholder.high": None},
            "575-vejen.yaml: deadlines_hours.tovholder.high: Field required",
        ),
        (
            "161-glostrup.yaml",
            {"repeat.threshold": 1},
            "161-glostrup.yaml: repeat.threshold: Input should be greater than or equal to 2 "
            "(got 1)",
        ),
        (
            "657-herning.yaml",
            {"schools.Sunds Skole": "vest"},
            "657-herning.yaml: schools.Sunds Skole: unknown district 'vest' (known: midt, nord, "
            "syd)",
        ),
        (
            "657-herning.yaml",
            {"schools.SUNDS  skole": "nord"},
            "657-herning.yaml: schools: the same school twice (names differing only in case)",
        ),
        (
            "657-herning.yaml",
            {"owner": "tovholder"},
            "657-herning.yaml: owner: Extra inputs are not permitted (got 'tovholder')",
        ),
        (
            "607-fredericia.yaml",
            {"owners.1.role": "chief"},
            "607-fredericia.yaml: owners.1.role: Input should be 'tovholder', 'caseworker', "
            "'team_leader', 'police_ssp_coordinator' or 'exit_coordinator' (got 'chief')",
        ),
        (
            "607-fredericia.yaml",
            {"owners.1.team_from": "district"},
            "607-fredericia.yaml: owners.1.team_from: 'district' but the profile has none",
        ),
        (
            "607-fredericia.yaml",
            {"owners.1.severity": ["low", "medium"]},
            "607-fredericia.yaml: owners: no rule for route=tovholder severity=high "
            "workflow=minor repeat=false",
        ),
        (
            "607-fredericia.yaml",
            {"code": "608"},
            "607-fredericia.yaml: code: '608' does not match the file name (expected '607')",
        ),
    ],
)
def test_each_problem_names_the_file_the_key_and_what_is_wrong(
    profiles_dir: Path, file: str, change: dict[str, object], expected: str
) -> None:
    edit(profiles_dir / file, change)
    assert expected in problems_of(profiles_dir)


def test_every_problem_of_every_file_is_reported_at_once(profiles_dir: Path) -> None:
    edit(profiles_dir / "657-herning.yaml", {"name": "", "repeat.window_days": 0})
    (profiles_dir / "575-vejen.yaml").write_text("code: '575'\nname: [unclosed\n")
    (profiles_dir / "999-nowhere.yml").write_text("- just\n- a list\n")
    problems = problems_of(profiles_dir)
    assert "657-herning.yaml: name: String should have at least 1 character (got '')" in problems
    assert any(p.startswith("657-herning.yaml: repeat.window_days: ") for p in problems)
    assert any(p.startswith("575-vejen.yaml: not valid YAML at line 3") for p in problems)
    assert "999-nowhere.yml: (top level): expected a mapping of keys to values" in problems


def test_a_missing_default_or_a_duplicate_code_is_an_error(profiles_dir: Path) -> None:
    (profiles_dir / "default.yaml").unlink()
    shutil.copy(profiles_dir / "657-herning.yaml", profiles_dir / "657-herning-copy.yaml")
    problems = problems_of(profiles_dir)
    assert "657-herning.yaml: code: '657' is also the code of 657-herning-copy.yaml" in problems
    assert any("no default profile" in p for p in problems)


def test_a_broken_profile_stops_the_service_at_start(profiles_dir: Path, tmp_path: Path) -> None:
    edit(profiles_dir / "657-herning.yaml", {"severity.flags.bande": "urgent"})
    settings = TriageSettings(
        SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path), TRIAGE_PROFILES_DIR=str(profiles_dir)
    )
    with pytest.raises(ProfileError, match=r"657-herning.yaml: severity.flags.bande: "):
        definition(settings)


def test_the_profiles_directory_is_a_setting(profiles_dir: Path, tmp_path: Path) -> None:
    edit(profiles_dir / "657-herning.yaml", {"youth_letter_age": 14})
    settings = TriageSettings(
        SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path), TRIAGE_PROFILES_DIR=str(profiles_dir)
    )
    assert settings.profiles_dir == profiles_dir
    assert load_profiles(settings.profiles_dir).profiles["657"].youth_letter_age == 14
    assert TriageSettings().profiles_dir == PACKAGED_PROFILES_DIR
    with pytest.raises(ProfileError, match="not a directory"):
        load_profiles(tmp_path / "missing")
