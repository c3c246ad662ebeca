"""The token template of a capture line, for the vectorised capture path.

A JSON line without backslashes, split at every ``"``, alternates structure and string tokens,
so in a file written by one serializer a given key and value sit at the same token index on
every line. `learn_template` finds those indexes from one line (checked against ``json``);
`tabular.capture_tokens` then locates the tokens of a whole block at once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SOURCE_PATH", "TIME_PATH", "CaptureTemplate", "learn_template"]

Path = tuple[str, ...]

TIME_PATH: Path = ("eventMetadata", "inferenceTime")
"""Where the inference time sits."""

SOURCE_PATH: Path = ("eventMetadata", "invocationSource")
"""Where the invocation source (shadow traffic) sits."""


@dataclass(frozen=True, slots=True)
class CaptureTemplate:
    """Where the needed strings sit among a line's ``"``-separated tokens.

    Attributes:
        tokens: Number of tokens of a conforming line.
        values: Token index of the string value of each needed JSON path.
        keys: Token index → expected key text, for every key on those paths.
        tail: Bytes after the last quote of the line (before its line break).
    """

    tokens: int
    values: dict[Path, int]
    keys: dict[int, str]
    tail: int = 1

    def column(self, path: Path) -> str:
        """Name of the token column holding ``path``'s value."""
        return f"t{self.values[path]}"


def learn_template(line: bytes, indexes: Sequence[str]) -> CaptureTemplate | None:
    """The template of one capture line (without its line break), or None if it has none.

    Args:
        line: One JSON record.
        indexes: The capture indexes whose payloads are wanted.

    Returns:
        None when the line is not a JSON object, lacks ``inferenceTime`` or every payload, or
        a wanted string does not read back the same from the tokens (escapes).
    """
    try:
        record = json.loads(line)
    except ValueError:
        return None
    tokens = line.split(b'"')
    if len(tokens) % 2 == 0 or not isinstance(record, dict):
        return None
    walked = _walk(tokens)
    if walked is None:
        return None
    values, keys = walked
    sides: list[Path] = [("captureData", s, k) for s in indexes for k in ("data", "encoding")]
    wanted: list[Path] = [TIME_PATH, SOURCE_PATH, *sides]
    found = {path: values[path] for path in wanted if path in values}
    if TIME_PATH not in found or not any(p[-1] == "data" for p in found):
        return None
    for path, index in found.items():
        if _lookup(record, path) != tokens[index].decode("utf-8", "replace"):
            return None
    checks = {keys[path[:i]]: path[i - 1] for path in found for i in range(1, len(path) + 1)}
    return CaptureTemplate(len(tokens), found, checks, len(tokens[-1]))


@dataclass(slots=True)
class _Frame:
    """An open JSON container while walking a line's tokens."""

    is_object: bool
    path: Path
    expecting_key: bool
    key: str = ""

    def child_path(self) -> Path:
        return (*self.path, self.key if self.is_object else "[]")


def _walk(tokens: list[bytes]) -> tuple[dict[Path, int], dict[Path, int]] | None:
    """Map JSON paths to the token index of their string value and of their key."""
    stack: list[_Frame] = []
    values: dict[Path, int] = {}
    keys: dict[Path, int] = {}
    try:
        for index, token in enumerate(tokens):
            if index % 2 == 0:
                _structure(token.decode("ascii"), stack)
                continue
            top = stack[-1]
            text = token.decode("utf-8")
            if top.is_object and top.expecting_key:
                top.key = text
                keys[top.child_path()] = index
            elif top.is_object:
                values[top.child_path()] = index
    except (IndexError, UnicodeDecodeError):
        return None
    return (values, keys) if not stack else None


def _structure(text: str, stack: list[_Frame]) -> None:
    for char in text:
        if char in "{[":
            parent = stack[-1].child_path() if stack else ()
            stack.append(_Frame(char == "{", parent, char == "{"))
        elif char in "}]":
            stack.pop()
        elif char == ":":
            stack[-1].expecting_key = False
        elif char == "," and stack[-1].is_object:
            stack[-1].expecting_key = True


def _lookup(record: object, path: Path) -> object:
    for key in path:
        if not isinstance(record, dict):
            return None
        record = record.get(key)
    return record
