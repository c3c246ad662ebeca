"""A monitor that fails: its exception must become the exit message and exit code 255."""

from contracts import MonitorContext, monitor


@monitor
def main(context: MonitorContext) -> None:
    raise RuntimeError(f"baseline missing under {context.dataset_source.name}")


if __name__ == "__main__":
    main()
