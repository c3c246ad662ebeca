"""The vectorised number recognition never disagrees with Deequ's regular expressions."""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pytest

from tabular.datatype import _classify_exact, classify
from tabular.numeric_text import parse_numeric_text

ALPHABET = "05.e+- x"  # E, letters and commas: see test_tabular_datatype CASES
WORDS = ["".join(p) for n in range(1, 4) for p in itertools.product(ALPHABET, repeat=n)]

_RNG = np.random.default_rng(3)
CONTEXTS = {
    "alone": [],
    "fractional": [f"{v:.4f}" for v in _RNG.normal(size=60)],
    "integers": [str(v) for v in _RNG.integers(-500, 500, 60)],
    # More whole numbers than the one-by-one check takes: the vectorised marker count runs.
    "whole-floats": [f"{v}.0" if v % 2 else str(v) for v in range(80)],
}


def _same(values: list[str]) -> None:
    array = pa.array(values)
    fast, exact = classify(array), _classify_exact(array, None)
    assert fast.histogram == exact.histogram
    np.testing.assert_array_equal(fast.numbers, exact.numbers)


@pytest.mark.parametrize("context", list(CONTEXTS), ids=list(CONTEXTS))
def test_every_short_word_gets_the_regular_expression_verdict(context: str) -> None:
    others = CONTEXTS[context]
    for word in WORDS:
        _same([*others[: len(others) // 2], word, *others[len(others) // 2 :]])


def test_hexadecimal_in_an_integer_column_is_a_string() -> None:
    values = [str(i) for i in range(100)]
    values[51] = "0x1F"

    found = classify(pa.array(values))

    assert (found.histogram.integral, found.histogram.string) == (99, 1)


def test_nulls_stay_in_place_and_are_skipped() -> None:
    parsed = parse_numeric_text(pa.array(["1.5", None, "2", None, "-3e2"]))

    assert parsed is not None
    assert parsed.numbers.tolist() == [1.5, 2.0, -300.0]
    assert parsed.integral.tolist() == [False, True, False]
    assert parsed.integers is None


@pytest.mark.parametrize(
    ("values", "canonical"),
    [
        (["0", "7", "-12", None, "1000"], True),
        (["1", "007"], False),
        (["-0", "5"], False),
        (["10", "-05"], False),
    ],
    ids=["canonical", "leading-zero", "minus-zero", "minus-leading-zero"],
)
def test_integers_are_kept_only_when_their_text_is_canonical(
    values: list[str | None], canonical: bool
) -> None:
    parsed = parse_numeric_text(pa.array(values))

    assert parsed is not None
    assert parsed.integral.all()
    assert (parsed.integers is not None) is canonical
    if parsed.integers is not None:
        assert parsed.integers.tolist() == [int(v) for v in values if v is not None]


@pytest.mark.parametrize(
    "value", [" 12", "- 12", "NaN", "inf", "1,5", ".5", "5.", "1e400", "0x10", "true", "ab"]
)
def test_anything_else_is_left_to_the_exact_path(value: str) -> None:
    assert parse_numeric_text(pa.array(["1.5", value, "2"])) is None


def test_a_sliced_array_is_read_at_its_offset() -> None:
    array = pa.array(["x", "1.5", "2", "y"]).slice(1, 2)

    parsed = parse_numeric_text(array)

    assert parsed is not None
    assert parsed.numbers.tolist() == [1.5, 2.0]
