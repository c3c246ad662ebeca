"""Tallies of distinct values with counts, merged without a per-value Python loop.

A tally is a pair of arrays: distinct values in ascending order and how often each occurred.
Integer columns with few distinct values are summarised this way before their values reach
the frequency summary (`tabular.frequency`) or the quantile sketch (`tabular.kll`).
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = ["merge_tallies"]

Value = TypeVar("Value", bound=np.generic)


def merge_tallies(
    values: npt.NDArray[Value],
    counts: npt.NDArray[np.int64],
    more_values: npt.NDArray[Value],
    more_counts: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[Value], npt.NDArray[np.int64]]:
    """One tally holding the counts of both.

    Args:
        values: Distinct values, ascending.
        counts: Their counts.
        more_values: Distinct values, ascending.
        more_counts: Their counts.

    Returns:
        Distinct values, ascending, and their summed counts.
    """
    if values.size == more_values.size and np.array_equal(values, more_values):
        return values, counts + more_counts  # the usual case: the same values again
    merged: npt.NDArray[Any] = np.concatenate((values, more_values))
    weights = np.concatenate((counts, more_counts))
    order = np.argsort(merged, kind="stable")
    merged, weights = merged[order], weights[order]
    starts = np.flatnonzero(np.concatenate(([True], merged[1:] != merged[:-1])))
    return merged[starts], np.add.reduceat(weights, starts)
