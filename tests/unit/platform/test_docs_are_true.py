"""The README documents every setting the code reads, and every service has its README."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from shared.settings import PlatformSettings
from ssp_platform.registry import ALL_SERVICES, SERVICES

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text()


def _settings_classes() -> list[type[BaseSettings]]:
    classes: list[type[BaseSettings]] = [PlatformSettings]
    for name in ALL_SERVICES:
        module = importlib.import_module(f"services.{name}.settings")
        classes += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, PlatformSettings)
            and value is not PlatformSettings
        ]
    return classes


@pytest.mark.parametrize("settings_class", _settings_classes(), ids=lambda c: c.__name__)
def test_every_setting_is_in_the_readme(settings_class: type[BaseSettings]) -> None:
    missing = [
        str(field.validation_alias)
        for field in settings_class.model_fields.values()
        if field.validation_alias
        and f"`{field.validation_alias}`" not in README
        and str(field.validation_alias) not in README
    ]
    assert not missing, f"README's settings table lacks {missing}"


@pytest.mark.parametrize("service", list(SERVICES))
def test_every_service_has_a_readme_naming_its_topics(service: str) -> None:
    readme = ROOT / "services" / service / "README.md"
    assert readme.exists()
    text = readme.read_text()
    assert "ssp." in text, "a service README lists the topics it consumes and publishes"
