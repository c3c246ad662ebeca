"""A monitor that sleeps until it is stopped: SIGTERM must become a `Stopped` message."""

import time
from pathlib import Path

from contracts import MonitorContext, monitor


@monitor
def main(context: MonitorContext) -> None:
    Path(context.output_path, "started").parent.mkdir(parents=True, exist_ok=True)
    Path(context.output_path, "started").write_text("yes")
    time.sleep(60)


if __name__ == "__main__":
    main()
