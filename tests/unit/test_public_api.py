"""Each package re-exports its public API with a sorted, honest `__all__`."""

from __future__ import annotations

import importlib
import types

import pytest

PACKAGES = ["contracts", "runtime"]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_resolves(name: str) -> None:
    package = importlib.import_module(name)
    exported = package.__all__
    assert exported == sorted(exported)
    assert len(set(exported)) == len(exported)
    for item in exported:
        assert hasattr(package, item), f"{name}.__all__ names missing {item}"


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_is_exported(name: str) -> None:
    package = importlib.import_module(name)
    public = {
        item
        for item, value in vars(package).items()
        if not item.startswith("_") and not isinstance(value, types.ModuleType)
    }
    public -= {"annotations"}
    assert public <= set(package.__all__)
