"""A monitor that misbehaves on purpose; `BEHAVIOUR` picks how (see BEHAVIOURS)."""

import errno
import json
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

OUTPUT = Path(os.environ.get("output_path", "/opt/ml/processing/output"))
MESSAGE = Path("/opt/ml/output/message")
COMPLETED = "Completed: Job completed successfully with no violations."


def write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def ok() -> int:
    write(OUTPUT / "constraint_violations.json", json.dumps({"violations": []}))
    write(MESSAGE, COMPLETED)
    print("ok: analysed the window", flush=True)
    return 0


def violations() -> int:
    found = [
        {
            "feature_name": "age",
            "constraint_check_type": "baseline_drift_check",
            "description": "Numerical distance: 0.31 exceeds numerical threshold: 0.1",
        },
        {
            "feature_name": "city",
            "constraint_check_type": "categorical_values_check",
            "description": "Value: 0.82 does not meet the constraint requirement! ",
        },
    ]
    write(OUTPUT / "constraint_violations.json", json.dumps({"violations": found}))
    write(MESSAGE, "CompletedWithViolations: Job completed successfully with 2 violations.")
    return 0


def fail() -> int:
    write(MESSAGE, "ValueError: the baseline has no feature named 'age'")
    print("failing on purpose", file=sys.stderr, flush=True)
    return 3


def sleep() -> int:
    seconds = float(os.environ.get("SLEEP_SECONDS", "600"))
    print(f"sleeping {seconds}s", flush=True)
    time.sleep(seconds)
    write(MESSAGE, COMPLETED)
    return 0


def ignore_term() -> int:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    print("ignoring SIGTERM", flush=True)
    while True:
        time.sleep(1)


def trap_term() -> int:
    def stopped(signum: int, frame: FrameType | None) -> None:
        write(MESSAGE, "Stopped: trapped SIGTERM and saved partial results")
        sys.exit(143)

    signal.signal(signal.SIGTERM, stopped)
    print("trapping SIGTERM", flush=True)
    while True:
        time.sleep(1)


def oom() -> int:
    hoard: list[bytearray] = []
    while True:
        block = bytearray(16 * 1024 * 1024)
        for index in range(0, len(block), 4096):
            block[index] = 1
        hoard.append(block)


def fork_bomb() -> int:
    children = 0
    failure = "none"
    while children < 100_000:
        try:
            pid = os.fork()
        except OSError as error:
            failure = errno.errorcode.get(error.errno or 0, str(error.errno))
            break
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        children += 1
    write(OUTPUT / "forkbomb.json", json.dumps({"children": children, "failure": failure}))
    write(MESSAGE, f"ForkBomb: stopped after {children} children ({failure})")
    return 1


def attempt(action: Callable[[], object]) -> str:
    try:
        action()
    except OSError as error:
        return f"refused: {errno.errorcode.get(error.errno or 0, str(error.errno))}"
    return "allowed"


def probe() -> int:
    def tcp() -> None:
        with socket.create_connection(("1.1.1.1", 53), timeout=3):
            pass

    def dns() -> None:
        socket.getaddrinfo("example.com", 443)

    source = Path(os.environ["dataset_source"])
    hours = sorted(
        p for p in source.rglob("*") if p.is_dir() and len(p.relative_to(source).parts) == 6
    )
    status = Path("/proc/self/status").read_text()
    fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
    result = {
        "uid": os.getuid(),
        "gid": os.getgid(),
        "cap_eff": fields["CapEff"].strip(),
        "cap_bnd": fields["CapBnd"].strip(),
        "no_new_privs": fields.get("NoNewPrivs", "?").strip(),
        "tcp": attempt(tcp),
        "dns": attempt(dns),
        "write_input": attempt(lambda: (hours[0] / "planted.jsonl").write_text("x")),
        "write_baseline": attempt(lambda: Path(os.environ["baseline_statistics"]).write_text("{}"))
        if "baseline_statistics" in os.environ
        else "no baseline",
        "write_root": attempt(lambda: Path("/opt/planted").write_text("x")),
        "write_etc": attempt(lambda: Path("/etc/planted").write_text("x")),
        "write_config": attempt(lambda: Path("/opt/ml/config/planted").write_text("x")),
        "write_tmp": attempt(lambda: Path("/tmp/scratch").write_text("x")),
        "hours": [str(hour.relative_to(source)) for hour in hours],
        "environment": {key: value for key, value in os.environ.items() if key.islower()},
    }
    write(OUTPUT / "probe.json", json.dumps(result, indent=2))
    write(MESSAGE, COMPLETED)
    return 0


def symlink() -> int:
    os.symlink("/etc/passwd", OUTPUT / "statistics.json")
    os.symlink("/etc/shadow", OUTPUT / "constraints.json")
    os.mkfifo(OUTPUT / "pipe")
    write(OUTPUT / "constraint_violations.json", json.dumps({"violations": []}))
    write(MESSAGE, COMPLETED)
    return 0


def huge() -> int:
    megabytes = int(os.environ.get("HUGE_MB", "64"))
    with open(OUTPUT / "huge.bin", "wb") as stream:
        for _ in range(megabytes):
            stream.write(b"\0" * 1024 * 1024)
    write(MESSAGE, COMPLETED)
    return 0


def big_message() -> int:
    write(MESSAGE, "Completed: " + "x" * 2037)
    return 0


def bad_utf8() -> int:
    write(MESSAGE, b"Completed: \xff\xfe\xfd not text")
    return 0


BEHAVIOURS: dict[str, Callable[[], int]] = {
    "ok": ok,
    "violations": violations,
    "fail": fail,
    "sleep": sleep,
    "ignore-term": ignore_term,
    "trap-term": trap_term,
    "oom": oom,
    "fork-bomb": fork_bomb,
    "probe": probe,
    "symlink": symlink,
    "huge": huge,
    "big-message": big_message,
    "bad-utf8": bad_utf8,
}

if __name__ == "__main__":
    sys.exit(BEHAVIOURS[os.environ.get("BEHAVIOUR", "ok")]())
