"""The committed JSON Schemas are generated from the models and must not go stale."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from contracts.schemas import SCHEMA_DIRECTORY, SCHEMA_MODELS, json_schema, render_schema
from runtime.cli import cli


@pytest.mark.parametrize("name", sorted(SCHEMA_MODELS))
def test_committed_schema_is_fresh(name: str) -> None:
    committed = SCHEMA_DIRECTORY / f"{name}.schema.json"
    assert committed.is_file(), f"run `make schemas` to add {committed.name}"
    assert committed.read_text() == render_schema(name), f"run `make schemas`: {name} is stale"


def test_no_orphan_schema_files() -> None:
    names = {path.name.removesuffix(".schema.json") for path in SCHEMA_DIRECTORY.glob("*.json")}
    assert names == set(SCHEMA_MODELS)


def test_statistics_schema_allows_nan_strings_and_extra_fields() -> None:
    schema = json_schema("statistics")
    numbers = schema["$defs"]["NumericalStatistics"]["properties"]["mean"]
    assert {"enum": ["NaN", "Infinity", "-Infinity"]} in numbers["anyOf"]
    assert schema["additionalProperties"] is True


def test_cli_prints_schema() -> None:
    result = CliRunner().invoke(cli, ["contract", "schema", "violations"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "ConstraintViolations"
    unknown = CliRunner().invoke(cli, ["contract", "schema", "nope"])
    assert unknown.exit_code == 2
