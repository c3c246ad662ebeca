"""The tabular package re-exports its public API with a sorted, honest ``__all__``."""

from __future__ import annotations

import types

import tabular


def test_all_is_sorted_unique_and_resolves() -> None:
    assert tabular.__all__ == sorted(tabular.__all__)
    assert len(set(tabular.__all__)) == len(tabular.__all__)
    assert all(hasattr(tabular, name) for name in tabular.__all__)


def test_every_public_name_is_exported() -> None:
    public = {
        name
        for name, value in vars(tabular).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public - {"annotations"} <= set(tabular.__all__)


def test_tabular_never_imports_the_runtime_or_pandas() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tabular\n"
        "print(sorted(m for m in ('runtime', 'pandas', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tabular.__path__[0].rsplit("/", 1)[0])},
    ).stdout
    assert out.strip() == "[]"
