"""Vectorised tokenisation of capture blocks: line shapes, key checks, payload columns."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from tabular.capture_template import CaptureTemplate, learn_template
from tabular.capture_tokens import spans_to_strings, tokenise
from tabular.reader import text_convert_options

INDEXES = ("endpointOutput", "endpointInput")


def _line(inputs: str, output: str = "0.5", event: str = "e1") -> bytes:
    record = {
        "captureData": {
            "endpointInput": {"data": inputs, "encoding": "CSV"},
            "endpointOutput": {"data": output, "encoding": "CSV"},
        },
        "eventMetadata": {"eventId": event, "inferenceTime": "2024-05-01T00:00:00Z"},
    }
    return json.dumps(record, separators=(",", ":")).encode()


def _template(line: bytes) -> CaptureTemplate:
    template = learn_template(line, INDEXES)
    assert template is not None
    return template


def _payloads(block: bytes, rows: list[int]) -> list[str]:
    template = _template(block.split(b"\n")[0])
    tokens = tokenise(block, template)
    data = template.values[("captureData", "endpointInput", "data")]
    assert tokens.rows.tolist() == rows
    texts: list[str] = tokens.texts(data).to_pylist()
    return texts


@pytest.mark.parametrize("final_break", [True, False], ids=["final-break", "no-final-break"])
def test_regular_blocks_find_every_row(final_break: bool) -> None:
    lines = [_line(f"{i},x{i}", event=f"e{i}") for i in range(5)]
    block = b"\n".join(lines) + (b"\n" if final_break else b"")

    assert _payloads(block, [0, 1, 2, 3, 4]) == [f"{i},x{i}" for i in range(5)]


def test_lines_of_another_shape_are_set_aside() -> None:
    odd = [
        _line("1,a").replace(b'"e1"', b'"e\\"1"'),  # an escaped quote: one quote more
        b'{"eventVersion":"0"}',
        b"",
        _line("2,b").replace(b"inferenceTime", b"inferenceTim\xff"),  # not UTF-8
    ]
    block = b"\n".join([_line("0,z"), *odd, _line("3,c")]) + b"\n"
    template = _template(_line("0,z"))

    tokens = tokenise(block, template)

    assert tokens.rows.tolist() == [0, 5]
    assert tokens.others.tolist() == [1, 2, 3, 4]
    assert tokens.lines(tokens.others) == odd


def test_crlf_lines_are_regular_when_the_template_has_the_cr() -> None:
    lines = [_line(f"{i},y") + b"\r" for i in range(3)]
    block = b"\n".join(lines) + b"\n"

    assert _payloads(block, [0, 1, 2]) == ["0,y", "1,y", "2,y"]


@pytest.mark.parametrize("last", ["CSV", "CSX"])
def test_tokens_are_compared_exactly_up_to_the_last_byte_of_the_block(last: str) -> None:
    line = b'{"eventMetadata":{"inferenceTime":"t"},'
    line += b'"captureData":{"endpointInput":{"data":"1","encoding":"CSV"}}}'
    template = learn_template(line, ("endpointInput",))
    assert template is not None
    encoding = template.values[("captureData", "endpointInput", "encoding")]
    # The last token ends 3 bytes before the end: its 8-byte read is clipped and redone.
    block = line + b"\n" + line.replace(b'"CSV"', f'"{last}"'.encode())

    tokens = tokenise(block, template)

    assert tokens.equals(encoding, "CSV").tolist() == [True, last == "CSV"]
    assert tokens.matches(template.keys).all()


def test_fields_read_like_arrows_csv_reader() -> None:
    rows = ["1,,x", ",2.5,", "a b, c ,d", ",,"]
    block = b"\n".join(_line(r, event=f"e{i}") for i, r in enumerate(rows)) + b"\n"
    template = _template(block.split(b"\n")[0])
    tokens = tokenise(block, template)
    data = template.values[("captureData", "endpointInput", "data")]

    columns = tokens.fields(data, np.ones(len(rows), dtype=bool), 3)

    names = ["a", "b", "c"]
    expected = pacsv.read_csv(
        pa.BufferReader("\n".join(rows).encode() + b"\n"),
        read_options=pacsv.ReadOptions(column_names=names),
        parse_options=pacsv.ParseOptions(quote_char=False),
        convert_options=text_convert_options(names),
    )
    assert columns is not None
    assert [c.to_pylist() for c in columns] == [c.to_pylist() for c in expected.columns]


@pytest.mark.parametrize(
    "rows", [["1,2", "3"], ["1,2,3", "4"], ["1,2", "3,4,5,6"]], ids=["short", "long", "mixed"]
)
def test_fields_refuse_rows_of_another_width(rows: list[str]) -> None:
    block = b"\n".join(_line(r, event=f"e{i}") for i, r in enumerate(rows)) + b"\n"
    template = _template(block.split(b"\n")[0])
    tokens = tokenise(block, template)
    data = template.values[("captureData", "endpointInput", "data")]

    assert tokens.fields(data, np.ones(len(rows), dtype=bool), 2) is None
    assert tokens.field_counts(data).tolist() == [r.count(",") + 1 for r in rows]


def test_spans_can_be_taken_in_any_order_with_empty_ones_null() -> None:
    data = np.frombuffer(b"ab,,cde", dtype=np.uint8)
    starts, ends = np.array([0, 3, 4]), np.array([2, 3, 7])

    plain = spans_to_strings(data, starts, ends)
    shuffled = spans_to_strings(data, starts, ends, order=np.array([2, 1, 0]), empty_is_null=True)

    assert plain.to_pylist() == ["ab", "", "cde"]
    assert shuffled.to_pylist() == ["cde", None, "ab"]
