"""Collect what a container left: its exit message and output files, safely, then validate."""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from contracts import paths as contract_paths
from contracts.files import read_json
from runtime.execution import OutputFile
from runtime.staging import Workspace

KNOWN_REPORTS: dict[str, str] = {
    contract_paths.STATISTICS_FILE: "statistics",
    contract_paths.CONSTRAINTS_FILE: "constraints",
    contract_paths.VIOLATIONS_FILE: "violations",
    contract_paths.VIOLATIONS_FILE_ALTERNATE: "violations",
    contract_paths.ANALYSIS_FILE: "analysis",
}
"""Report file name -> contract file kind; these are validated, other files are kept as is."""
METRICS_KIND = "metrics"


@dataclass
class TreeSize:
    """Regular files and bytes under a folder; links and special files are refused, not read."""

    files: list[Path] = field(default_factory=list)
    total_bytes: int = 0
    refused: list[str] = field(default_factory=list)


def measure_tree(root: Path, max_files: int | None = None) -> TreeSize:
    """Walk `root` without following links; stop counting after `max_files` + 1 files."""
    size = TreeSize()
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            info = entry.stat(follow_symlinks=False)
            path = Path(entry.path)
            if stat.S_ISDIR(info.st_mode):
                pending.append(path)
            elif stat.S_ISREG(info.st_mode):
                size.files.append(path)
                size.total_bytes += info.st_size
            else:
                kind = "symbolic link" if stat.S_ISLNK(info.st_mode) else "special file"
                size.refused.append(f"refused {kind} {path.relative_to(root)}")
            if max_files is not None and len(size.files) > max_files:
                return size
    return size


@dataclass
class ExitMessage:
    """The first KiB of `/opt/ml/output/message`, or why it could not be used."""

    text: str | None = None
    problem: str | None = None
    not_utf8: bool = False


def read_message(path: Path, limit: int = contract_paths.MESSAGE_MAX_BYTES) -> ExitMessage:
    """Read the message without following a link; keep the first `limit` bytes, UTF-8 only."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return ExitMessage()
    except OSError as error:
        return ExitMessage(problem=f"refused the exit message: {error.strerror}")
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return ExitMessage(problem="refused the exit message: not a regular file")
        head = os.read(descriptor, limit)
    finally:
        os.close(descriptor)
    try:
        return ExitMessage(text=head.decode("utf-8"))
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.start >= len(head) - 3:
            return ExitMessage(text=head[: error.start].decode("utf-8"))
        detail = f"the exit message is not UTF-8 ({error.reason} at byte {error.start})"
        return ExitMessage(problem=detail, not_utf8=True)


@dataclass
class Collected:
    """Everything collected from one finished container."""

    message: ExitMessage
    outputs: list[OutputFile] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    too_large: str | None = None
    violations: int | None = None


def measure_outputs(workspace: Workspace, max_files: int) -> TreeSize:
    """What the container wrote into `reports/` and `ml-output/`, links refused."""
    reports = measure_tree(workspace.reports, max_files)
    ml_output = measure_tree(workspace.ml_output, max_files)
    return TreeSize(
        reports.files + ml_output.files,
        reports.total_bytes + ml_output.total_bytes,
        reports.refused + ml_output.refused,
    )


def cap_problem(size: TreeSize, max_bytes: int, max_files: int) -> str | None:
    """Why the outputs break the caps, or None."""
    if len(size.files) > max_files:
        return f"the container wrote more than {max_files} output files"
    if size.total_bytes > max_bytes:
        return f"the container wrote {size.total_bytes} bytes of output, over the {max_bytes} cap"
    return None


def _kind_of(path: Path, workspace: Workspace) -> str | None:
    if path.parent == workspace.reports:
        return KNOWN_REPORTS.get(path.name)
    return METRICS_KIND if path.parent == workspace.metrics_dir else None


def _output_file(path: Path, workspace: Workspace) -> OutputFile:
    relative, size = str(path.relative_to(workspace.root)), path.lstat().st_size
    kind = _kind_of(path, workspace)
    if kind is None:
        return OutputFile(name=relative, path=str(path), size=size)
    # The validators load every contract model; a run without reports never pays for them.
    from contracts.validation import FileKind, check_file  # noqa: PLC0415

    report = check_file(path, FileKind(kind))
    problems = [str(problem) for problem in report.problems]
    return OutputFile(
        name=relative, path=str(path), size=size, kind=kind, valid=report.valid, problems=problems
    )


def _count_violations(outputs: list[OutputFile]) -> int | None:
    for output in outputs:
        if output.kind == "violations" and output.valid:
            document = read_json(Path(output.path))
            return len(document.get("violations", []))
    return None


def collect(workspace: Workspace, max_bytes: int, max_files: int) -> Collected:
    """Read the message and outputs of a finished container, validating every known file.

    Links and special files are refused without reading their target. Invalid metric lines
    are warnings (they are skipped when publishing), invalid reports make the output invalid.
    """
    collected = Collected(message=read_message(workspace.message_file))
    combined = measure_outputs(workspace, max_files)
    collected.refused = combined.refused
    collected.too_large = cap_problem(combined, max_bytes, max_files)
    if collected.too_large:
        return collected
    for path in sorted(combined.files):
        if path == workspace.message_file:
            continue
        output = _output_file(path, workspace)
        collected.outputs.append(output)
        if output.valid is False and output.kind == METRICS_KIND:
            collected.warnings += [f"{output.name}: {problem}" for problem in output.problems]
        elif output.valid is False:
            collected.invalid += [f"{output.name}: {problem}" for problem in output.problems]
    collected.violations = _count_violations(collected.outputs)
    return collected


def copy_reports(workspace: Workspace, outputs: list[OutputFile], destination: Path) -> None:
    """Copy the collected regular files of `reports/` into `destination`."""
    for output in outputs:
        source = Path(output.path)
        if workspace.reports not in source.parents:
            continue
        target = destination / source.relative_to(workspace.reports)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target, follow_symlinks=False)
