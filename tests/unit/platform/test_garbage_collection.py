"""A running service collects garbage rarely and never re-scans what start-up built."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ssp_platform.platform import tune_garbage_collection


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_gc")
def test_the_young_threshold_is_raised_and_start_up_objects_are_frozen() -> None:
    middle, old = gc.get_threshold()[1:]
    tune_garbage_collection(50_000)
    assert gc.get_threshold() == (50_000, middle, old)
    assert gc.get_freeze_count() > 0


@pytest.mark.usefixtures("restored_gc")
def test_zero_keeps_pythons_defaults() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    tune_garbage_collection(0)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen
