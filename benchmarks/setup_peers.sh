#!/usr/bin/env bash
# Create benchmarks/.venv-peers: the peer tools the benchmarks compare against, kept out of the
# project's own .venv. Versions are pinned in requirements-peers.txt (a resolved, tested set).
#
#   bash benchmarks/setup_peers.sh            # PYTHON=python3.11 by default
#   PYTHON=/usr/bin/python3.11 bash benchmarks/setup_peers.sh
#   PEERS_VENV=/tmp/peers bash benchmarks/setup_peers.sh   # elsewhere (the scripts expect the default)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3.11}"
venv="${PEERS_VENV:-$here/.venv-peers}"

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r "$here/requirements-peers.txt"

# Import every peer once (telemetry off, as in the benchmarks) and show what is installed.
WHYLOGS_NO_ANALYTICS=True DO_NOT_TRACK=1 HF_HUB_OFFLINE=1 "$venv/bin/python" - <<'PY'
from importlib.metadata import version

import alibi_detect.cd  # noqa: F401
import evidently.presets  # noqa: F401
import whylogs.viz.drift.column_drift_algorithms  # noqa: F401

for name in ("evidently", "whylogs", "alibi-detect", "pandas", "scipy", "pyarrow", "numpy"):
    print(f"{name} {version(name)}")
PY
echo "peers ready in $venv"
