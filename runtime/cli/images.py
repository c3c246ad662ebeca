"""`watchkeeper images ...`: build the project's monitor images and list them."""

from __future__ import annotations

import dataclasses
import json

import click

from runtime.base_image import DEBIAN_MIRROR
from runtime.images import ImageState, build_images, list_images


@click.group()
def images() -> None:
    """Build and list the project's monitor images (no registry needed)."""


@images.command()
@click.argument("names", nargs=-1)
@click.option("--force", is_flag=True, help="Rebuild even when up to date, without layer cache.")
@click.option("-v", "--verbose", is_flag=True, help="Show every line of the build output.")
@click.option(
    "--base-image",
    envvar="WATCHKEEPER_BASE_IMAGE",
    help="Build on this base instead of python:3.11-slim or the bootstrapped one.",
)
@click.option(
    "--debian-mirror",
    envvar="WATCHKEEPER_DEBIAN_MIRROR",
    default=DEBIAN_MIRROR,
    show_default=True,
    help="Debian mirror for bootstrapping the base image.",
)
def build(
    names: tuple[str, ...], force: bool, verbose: bool, base_image: str | None, debian_mirror: str
) -> None:
    """Build the images in containers/*/ and examples/*/ (all, or NAMES) that changed."""
    results = build_images(
        names,
        force=force,
        progress=click.echo,
        verbose=verbose,
        base_image=base_image,
        mirror=debian_mirror,
    )
    built = sum(result.built for result in results)
    click.echo(f"{len(results)} image(s): {built} built, {len(results) - built} up to date")


@images.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_command(as_json: bool) -> None:
    """List the project's images: tag, id, created, size, content hash and state."""
    rows = list_images()
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(row) for row in rows], indent=2))
        return
    table = [("TAG", "ID", "CREATED", "SIZE", "CONTENT HASH", "STATE")]
    table += [_columns(row) for row in rows]
    widths = [max(len(line[column]) for line in table) for column in range(len(table[0]))]
    for line in table:
        cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


def _columns(row: ImageState) -> tuple[str, str, str, str, str, str]:
    size = f"{row.size / 1e6:.0f} MB" if row.size else ""
    created = row.created[:19].replace("T", " ")
    return (row.tag, row.id, created, size, row.content_hash[:12], row.state)
