"""Built-in monitor types and the images that serve them (`--monitor data-quality`)."""

from __future__ import annotations

from runtime.errors import ConfigurationError
from runtime.image_manifest import discover_manifests
from runtime.settings import Settings


def monitor_images(settings: Settings) -> dict[str, str]:
    """Monitor type -> image tag, from the manifests of `containers/` and `examples/`."""
    return {
        manifest.monitor: manifest.image
        for manifest in discover_manifests(settings.source_root)
        if manifest.monitor
    }


def monitor_image(monitor: str, settings: Settings) -> str:
    """The image that serves `monitor`.

    Raises:
        ConfigurationError: no image manifest declares that monitor type.
    """
    images = monitor_images(settings)
    if monitor not in images:
        known = ", ".join(sorted(images)) or "none"
        raise ConfigurationError(f"unknown monitor {monitor!r} (known: {known})")
    return images[monitor]
