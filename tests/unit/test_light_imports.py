"""`import contracts` loads only the stdlib and pydantic; the runtime never loads numpy & co."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO_ROOT

PYDANTIC_FAMILY = {"pydantic", "pydantic_core", "annotated_types", "typing_extensions"}
PYDANTIC_FAMILY |= {"typing_inspection"}
HEAVY = {"numpy", "scipy", "torch", "pandas", "pyarrow"}


def _modules_after(statement: str) -> set[str]:
    code = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        f"{statement}\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in set(sys.modules) - before})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(result.stdout))


def test_contracts_loads_only_stdlib_and_pydantic() -> None:
    loaded = _modules_after("import contracts")
    third_party = {
        name
        for name in loaded
        if name not in sys.stdlib_module_names and not name.startswith("_sysconfigdata")
    }
    assert third_party - {"contracts"} <= PYDANTIC_FAMILY, third_party


def test_runtime_and_cli_load_no_numeric_stack() -> None:
    loaded = _modules_after("import runtime, runtime.cli")
    assert not loaded & HEAVY, loaded & HEAVY
