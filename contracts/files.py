"""Reading and atomically writing contract files."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from contracts._base import ContractModel

ModelT = TypeVar("ModelT", bound=BaseModel)


def write_bytes_atomic(path: Path, payload: bytes) -> Path:
    """Write `payload` to `path` through a temporary file in the same folder, then rename.

    A reader never sees a half-written file, and a crash leaves the old file (or none).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def dump_json(document: ContractModel | dict[str, Any] | list[Any]) -> bytes:
    """Serialize a contract document as SageMaker does: indented JSON, keys in model order."""
    data = document.to_json_dict() if isinstance(document, ContractModel) else document
    return (json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def write_json_atomic(path: Path, document: ContractModel | dict[str, Any] | list[Any]) -> Path:
    """Write a contract document (model or plain data) atomically as JSON."""
    return write_bytes_atomic(path, dump_json(document))


def read_json(path: Path) -> Any:
    """Parse a JSON file."""
    with path.open("rb") as stream:
        return json.load(stream)


def read_model(path: Path, model: type[ModelT]) -> ModelT:
    """Read and validate one JSON contract file."""
    return model.model_validate(read_json(path))
