"""Deequ's data type classification and type decision."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from tabular import DataType, TypeHistogram, classify

CASES = [
    ("12", DataType.INTEGRAL, 12.0),
    ("-12", DataType.INTEGRAL, -12.0),
    ("+12", DataType.INTEGRAL, 12.0),
    (" 12", DataType.INTEGRAL, 12.0),
    ("- 12", DataType.INTEGRAL, -12.0),
    ("007", DataType.INTEGRAL, 7.0),
    ("12 ", DataType.STRING, None),
    ("1.5", DataType.FRACTIONAL, 1.5),
    ("-0.25", DataType.FRACTIONAL, -0.25),
    ("1e5", DataType.FRACTIONAL, 1e5),
    ("1.5E-3", DataType.FRACTIONAL, 1.5e-3),
    ("1e400", DataType.FRACTIONAL, math.inf),
    (".5", DataType.STRING, None),
    ("5.", DataType.STRING, None),
    ("1.e5", DataType.STRING, None),
    ("NaN", DataType.STRING, None),
    ("nan", DataType.STRING, None),
    ("inf", DataType.STRING, None),
    ("-Infinity", DataType.STRING, None),
    ("1,5", DataType.STRING, None),
    ("true", DataType.BOOLEAN, None),
    ("false", DataType.BOOLEAN, None),
    ("True", DataType.STRING, None),
    ("abc", DataType.STRING, None),
]


def _only(data_type: DataType, hist: TypeHistogram) -> bool:
    return hist.count(data_type) == hist.present == 1


@pytest.mark.parametrize(("text", "expected", "number"), CASES, ids=[c[0] for c in CASES])
def test_single_value(text: str, expected: DataType, number: float | None) -> None:
    found = classify(pa.array([text]))

    assert _only(expected, found.histogram)
    if number is None:
        assert math.isnan(found.numbers[0])
    else:
        assert found.numbers[0] == number


@pytest.mark.parametrize(("text", "expected", "number"), CASES, ids=[c[0] for c in CASES])
def test_value_hidden_in_a_large_fractional_batch(
    text: str, expected: DataType, number: float | None
) -> None:
    """The fast (vectorised) paths must reach the same verdict as the regular expressions."""
    rng = np.random.default_rng(1)
    others = [f"{v:.4f}" for v in rng.normal(size=999)]
    found = classify(pa.array([*others[:500], text, *others[500:]]))

    assert found.histogram.count(expected) == 1 + (999 if expected is DataType.FRACTIONAL else 0)
    if number is not None:
        assert found.numbers[500] == number


def test_integral_strings_inside_a_fractional_column_are_counted() -> None:
    found = classify(pa.array(["1", "2.5", "3", "-4", "5.0", "6e1"]))

    assert (found.histogram.integral, found.histogram.fractional) == (3, 3)
    assert found.numbers.tolist() == [1.0, 2.5, 3.0, -4.0, 5.0, 60.0]


def test_weights_multiply_counts() -> None:
    found = classify(pa.array(["1", "x"]), np.array([5, 2]))

    assert (found.histogram.integral, found.histogram.string) == (5, 2)


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (pa.array([1, 2], pa.int64()), DataType.INTEGRAL),
        (pa.array([1.0, 2.5]), DataType.FRACTIONAL),
        (pa.array([True, False]), DataType.BOOLEAN),
    ],
    ids=["int64", "float64", "bool"],
)
def test_typed_values_follow_their_type(array: pa.Array, expected: DataType) -> None:
    assert classify(array).histogram.count(expected) == 2


@pytest.mark.parametrize(
    ("hist", "expected"),
    [
        (TypeHistogram(null=3), DataType.UNKNOWN),
        (TypeHistogram(), DataType.UNKNOWN),
        (TypeHistogram(integral=5, null=1), DataType.INTEGRAL),
        (TypeHistogram(integral=5, fractional=1), DataType.FRACTIONAL),
        (TypeHistogram(integral=995, string=5), DataType.STRING),
        (TypeHistogram(boolean=4, null=1), DataType.BOOLEAN),
        (TypeHistogram(boolean=4, integral=1), DataType.STRING),
    ],
    ids=["all-null", "empty", "integral", "fractional-wins", "any-string", "boolean", "mixed"],
)
def test_type_decision(hist: TypeHistogram, expected: DataType) -> None:
    assert hist.inferred() is expected


def test_sagemaker_names_report_boolean_as_string() -> None:
    assert DataType.BOOLEAN.sagemaker_name == "String"
    assert DataType.INTEGRAL.sagemaker_name == "Integral"


def test_ratio_ignores_unknown_by_default() -> None:
    hist = TypeHistogram(null=10, integral=996, string=4)

    assert hist.ratio(DataType.INTEGRAL) == pytest.approx(0.996)
    assert hist.ratio(DataType.INTEGRAL, ignore_unknown=False) == pytest.approx(996 / 1010)
