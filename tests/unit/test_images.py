"""Image building without Docker: manifests, context, content hash, wheels, base choice."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import pytest
from click.testing import CliRunner

from runtime import base_image, images, wheelhouse
from runtime.base_image import BOOTSTRAP_TAG, DEFAULT_BASE, BaseImages, debootstrap_command
from runtime.cli import cli
from runtime.docker_backend import LABEL_HASH, LABEL_MANAGED, LABEL_NAME, EngineStatus, ImageInfo
from runtime.errors import ConfigurationError, ImageBuildError, ImageNotFoundError
from runtime.image_manifest import (
    ImageManifest,
    discover_manifests,
    load_manifest,
    read_requirements,
)
from runtime.images import ImageBuilder, assemble_context, content_hash, context_files
from runtime.settings import Settings
from runtime.wheelhouse import SDK_DISTRIBUTION, Wheelhouse, sdk_wheel

# ---------------------------------------------------------------- fakes and helpers


class FakeEngine:
    """An in-memory engine: images by reference, recorded pulls, imports and builds."""

    def __init__(
        self, images_: Mapping[str, ImageInfo] | None = None, *, pullable: bool = False
    ) -> None:
        self.images: dict[str, ImageInfo] = dict(images_ or {})
        self.pullable = pullable
        self.pulls: list[str] = []
        self.builds: list[dict[str, Any]] = []
        self.removed: list[str] = []
        self.build_stream: list[dict[str, Any]] = []

    def status(self) -> EngineStatus:
        return EngineStatus("20.10", "1.41", "1", "overlay2", "Debian", "x86_64")

    def image(self, reference: str) -> ImageInfo | None:
        return self.images.get(reference)

    def images_with_label(self, label: str) -> list[ImageInfo]:
        key, _, value = label.partition("=")
        return [info for info in self.images.values() if info.labels.get(key) == value]

    def try_pull(self, reference: str, *, timeout: float) -> bool:
        self.pulls.append(reference)
        if self.pullable:
            self.images[reference] = ImageInfo(f"sha256:pulled-{reference}", (reference,))
        return self.pullable

    def import_rootfs(self, tar_stream: IO[bytes], tag: str, changes: Sequence[str]) -> str:
        raise AssertionError("unit tests never import a rootfs")

    def build(
        self,
        context_dir: Path,
        tag: str,
        *,
        buildargs: Mapping[str, str],
        labels: Mapping[str, str],
        nocache: bool = False,
    ) -> Iterator[dict[str, Any]]:
        files = sorted(p.relative_to(context_dir).as_posix() for p in context_dir.rglob("*"))
        listing = context_dir / "_wheels" / "requirements.txt"
        requirements = listing.read_text() if listing.exists() else None
        self.builds.append(
            {"tag": tag, "buildargs": dict(buildargs), "labels": dict(labels), "files": files}
            | {"requirements": requirements, "nocache": nocache}
        )
        yield from self.build_stream
        image_id = f"sha256:{len(self.builds):064d}"
        self.images[tag] = ImageInfo(image_id, (tag,), dict(labels))
        yield {"aux": {"ID": image_id}}

    def remove_image(self, reference: str) -> bool:
        self.removed.append(reference)
        return True


def _image(reference: str, **labels: str) -> ImageInfo:
    digest = hashlib.sha256(reference.encode()).hexdigest()
    return ImageInfo(f"sha256:{digest}", (reference,), labels)


def _write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _folder(root: Path, manifest: str = 'name = "demo"\n') -> Path:
    folder = root / "containers" / "demo"
    _write(folder / "Dockerfile", "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY _wheels /tmp/wheels\n")
    _write(folder / "container.toml", manifest)
    return folder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"WATCHKEEPER_HOME": str(tmp_path / "home")})


@pytest.fixture
def no_downloads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[str]]:
    """Wheelhouse.ensure returns a folder with one fake wheel and records its requirements."""
    calls: list[list[str]] = []
    folder = tmp_path / "wheels"
    _write(folder / "pydantic-2.0-py3-none-any.whl", "wheel")

    def ensure(self: Wheelhouse, requirements: Sequence[str]) -> Path:
        calls.append(list(requirements))
        return folder

    monkeypatch.setattr(Wheelhouse, "ensure", ensure)
    return calls


# ---------------------------------------------------------------- manifest


def test_manifest_with_every_key(tmp_path: Path) -> None:
    _write(tmp_path / "containers" / "tabular" / "stats.py")
    folder = _folder(
        tmp_path,
        'name = "data-quality"\nimage = "acme/dq:1.0"\ndescription = "DQ"\n'
        'requirements = "requirements.txt"\ninclude = ["../tabular"]\n'
        'exclude = ["tests"]\nmonitor = "data-quality"\n',
    )
    _write(folder / "requirements.txt", "numpy>=1.26\n")
    manifest = load_manifest(folder)
    assert manifest == ImageManifest(
        name="data-quality",
        image="acme/dq:1.0",
        folder=folder.resolve(),
        description="DQ",
        requirements=(folder / "requirements.txt").resolve(),
        include=((tmp_path / "containers" / "tabular").resolve(),),
        exclude=("tests",),
        monitor="data-quality",
    )


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        pytest.param(None, "watchkeeper/demo:latest", id="default-tag"),
        pytest.param("acme/demo", "acme/demo:latest", id="latest-added"),
        pytest.param("localhost:5000/demo", "localhost:5000/demo:latest", id="registry-port"),
        pytest.param("acme/demo:2", "acme/demo:2", id="explicit-tag"),
    ],
)
def test_manifest_tag_policy(tmp_path: Path, image: str | None, tag: str) -> None:
    line = f'image = "{image}"\n' if image else ""
    assert load_manifest(_folder(tmp_path, f'name = "demo"\n{line}')).image == tag


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param('name = "demo"\nbase = "x"\n', "unknown key", id="unknown-key"),
        pytest.param('name = "Demo"\n', "must match", id="bad-name"),
        pytest.param("", "name must be a non-empty string", id="no-name"),
        pytest.param('name = "demo"\nimage = "Bad Tag"\n', "not a valid image tag", id="bad-tag"),
        pytest.param('name = "demo"\ninclude = "x"\n', "list of non-empty", id="include-str"),
        pytest.param('name = "demo"\ninclude = ["../nope"]\n', "not an existing", id="missing"),
        pytest.param('name = "demo"\ninclude = [".."]\n', "image folder itself", id="ancestor"),
        pytest.param('name = "demo"\nrequirements = "../x.txt"\n', "not a file inside", id="req"),
        pytest.param("name = [", "cannot read", id="not-toml"),
    ],
)
def test_manifest_errors(tmp_path: Path, text: str, message: str) -> None:
    _write(tmp_path / "containers" / "x.txt")
    with pytest.raises(ConfigurationError, match=message):
        load_manifest(_folder(tmp_path, text))


def test_discover_finds_containers_and_examples_sorted_by_name(tmp_path: Path) -> None:
    _write(tmp_path / "containers" / "b" / "container.toml", 'name = "zeta"\n')
    _write(tmp_path / "examples" / "a" / "container.toml", 'name = "alpha"\n')
    _write(tmp_path / "containers" / "no-manifest" / "Dockerfile")
    assert [m.name for m in discover_manifests(tmp_path)] == ["alpha", "zeta"]


def test_discover_rejects_duplicate_names(tmp_path: Path) -> None:
    _write(tmp_path / "containers" / "a" / "container.toml", 'name = "same"\n')
    _write(tmp_path / "examples" / "b" / "container.toml", 'name = "same"\n')
    with pytest.raises(ConfigurationError, match="share the name same"):
        discover_manifests(tmp_path)


def test_requirements_drop_comments_and_reject_options(tmp_path: Path) -> None:
    folder = _folder(tmp_path, 'name = "demo"\nrequirements = "req.txt"\n')
    _write(folder / "req.txt", "# numeric\nnumpy>=1.26  # pinned below 3\n\nscipy\n")
    assert read_requirements(load_manifest(folder)) == ["numpy>=1.26", "scipy"]
    _write(folder / "req.txt", "--index-url http://x\nnumpy\n")
    with pytest.raises(ConfigurationError, match="only requirement specifiers"):
        read_requirements(load_manifest(folder))


# ---------------------------------------------------------------- context


def test_context_files_with_include_exclude_and_junk(tmp_path: Path) -> None:
    _write(tmp_path / "containers" / "tabular" / "stats.py", "x = 1\n")
    _write(tmp_path / "containers" / "tabular" / "__pycache__" / "stats.cpython-311.pyc")
    folder = _folder(tmp_path, 'name = "demo"\ninclude = ["../tabular"]\nexclude = ["tests"]\n')
    _write(folder / "monitor" / "main.py")
    _write(folder / "tests" / "test_main.py")
    _write(folder / "monitor" / "main.pyc")
    files = context_files(load_manifest(folder))
    assert list(files) == [
        "Dockerfile",
        "container.toml",
        "monitor/main.py",
        "tabular/stats.py",
    ]
    assert files["tabular/stats.py"] == (tmp_path / "containers" / "tabular" / "stats.py").resolve()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param("tabular/x.py", "collides", id="include-collision"),
        pytest.param("_wheels/a.whl", "reserved", id="wheels-reserved"),
    ],
)
def test_context_files_errors(tmp_path: Path, extra: str, message: str) -> None:
    _write(tmp_path / "containers" / "tabular" / "stats.py")
    folder = _folder(tmp_path, 'name = "demo"\ninclude = ["../tabular"]\n')
    _write(folder / extra)
    with pytest.raises(ConfigurationError, match=message):
        context_files(load_manifest(folder))


def test_context_needs_a_dockerfile(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "Dockerfile").unlink()
    with pytest.raises(ConfigurationError, match="no Dockerfile"):
        context_files(load_manifest(folder))


def test_assemble_context_copies_files_and_fills_wheels(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    wheel = _write(tmp_path / "cache" / "numpy-2.0-cp311-none-any.whl", "numpy")
    sdk = sdk_wheel()
    dest = tmp_path / "context"
    assemble_context(
        context_files(load_manifest(folder)), dest, wheels=[wheel], sdk=sdk, requirements=["numpy"]
    )
    assert (dest / "Dockerfile").read_text() == (folder / "Dockerfile").read_text()
    assert (dest / "_wheels" / wheel.name).read_text() == "numpy"
    assert (dest / "_wheels" / sdk.filename).read_bytes() == sdk.data
    assert (dest / "_wheels" / "requirements.txt").read_text() == f"numpy\n{SDK_DISTRIBUTION}\n"


# ---------------------------------------------------------------- content hash


def _hash_inputs(tmp_path: Path) -> dict[str, Any]:
    files = {
        "Dockerfile": _write(tmp_path / "src" / "Dockerfile", "FROM x\n"),
        "app/main.py": _write(tmp_path / "src" / "main.py", "print(1)\n"),
    }
    return {"files": files, "requirements": ["numpy", "scipy"], "sdk_digest": "s", "base_id": "b"}


def test_content_hash_is_stable(tmp_path: Path) -> None:
    inputs = _hash_inputs(tmp_path)
    first = content_hash(**inputs)
    assert first == content_hash(**inputs)
    reordered = dict(inputs, requirements=["scipy", "numpy", "numpy"])
    assert content_hash(**reordered) == first
    files = dict(reversed(list(inputs["files"].items())))
    assert content_hash(**dict(inputs, files=files)) == first


@pytest.mark.parametrize(
    "change",
    ["file-bytes", "file-path", "file-added", "exec-bit", "requirement", "sdk", "base"],
)
def test_content_hash_changes_with_every_input(tmp_path: Path, change: str) -> None:
    inputs = _hash_inputs(tmp_path)
    before = content_hash(**inputs)
    files: dict[str, Path] = dict(inputs["files"])
    if change == "file-bytes":
        files["app/main.py"].write_text("print(2)\n")
    elif change == "file-path":
        files["app/other.py"] = files.pop("app/main.py")
    elif change == "file-added":
        files["extra.txt"] = _write(tmp_path / "src" / "extra.txt", "")
    elif change == "exec-bit":
        files["app/main.py"].chmod(0o755)
    inputs["files"] = files
    inputs["requirements"] += ["pyarrow"] if change == "requirement" else []
    inputs["sdk_digest"] += "2" if change == "sdk" else ""
    inputs["base_id"] += "2" if change == "base" else ""
    assert content_hash(**inputs) != before


# ---------------------------------------------------------------- wheels


def test_sdk_wheel_is_reproducible_and_valid() -> None:
    wheel = sdk_wheel()
    assert wheel.data == sdk_wheel().data
    assert wheel.filename.startswith("watchkeeper_contracts-")
    assert wheel.filename.endswith("-py3-none-any.whl")
    assert [req.split("<")[0].split(">")[0] for req in wheel.requirements] == ["pydantic"]
    with zipfile.ZipFile(io.BytesIO(wheel.data)) as archive:
        names = archive.namelist()
        assert "contracts/__init__.py" in names
        assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
        dist_info = wheel.filename.split("-py3")[0] + ".dist-info"
        metadata = archive.read(f"{dist_info}/METADATA").decode()
        record = archive.read(f"{dist_info}/RECORD").decode().splitlines()
    assert f"Name: {SDK_DISTRIBUTION}" in metadata
    assert "Requires-Dist: pydantic" in metadata
    assert len(record) == len(names)


def test_wheelhouse_key_ignores_order_and_duplicates(tmp_path: Path) -> None:
    house = Wheelhouse(tmp_path, "x86_64")
    assert house.key(["a", "b"]) == house.key(["b", "a", "a"])
    assert house.key(["a"]) != house.key(["a", "b"])
    assert house.key(["a"]) != Wheelhouse(tmp_path, "aarch64").key(["a"])
    assert Wheelhouse(tmp_path, "arm64").key(["a"]) == Wheelhouse(tmp_path, "aarch64").key(["a"])


def test_wheelhouse_downloads_once_for_the_target_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands: list[list[str]] = []

    def fake_pip(arguments: list[str]) -> Any:
        commands.append(arguments)
        dest = Path(arguments[arguments.index("--dest") + 1])
        _write(dest / "pydantic-2.0-py3-none-any.whl")
        return dataclasses.make_dataclass("Done", ["returncode", "stdout"])(0, "")

    monkeypatch.setattr(wheelhouse, "_pip", fake_pip)
    house = Wheelhouse(tmp_path / "wh", "x86_64")
    folder = house.ensure(["pydantic>=2"])
    assert house.ensure(["pydantic>=2"]) == folder
    assert len(commands) == 1
    assert "--only-binary=:all:" in commands[0]
    assert "--platform=manylinux_2_36_x86_64" in commands[0]
    assert [p.name for p in folder.iterdir()] == ["pydantic-2.0-py3-none-any.whl"]
    assert [p.name for p in (tmp_path / "wh").iterdir()] == [folder.name]  # no staging left


def test_wheelhouse_failure_raises_with_pip_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failed = dataclasses.make_dataclass("Failed", ["returncode", "stdout"])(1, "No matching dist")
    monkeypatch.setattr(wheelhouse, "_pip", lambda arguments: failed)
    house = Wheelhouse(tmp_path / "wh", "riscv64")
    with pytest.raises(ImageBuildError) as caught:
        house.ensure(["nope"])
    assert "No matching dist" in str(caught.value.context["log_tail"])
    assert list((tmp_path / "wh").iterdir()) == []


# ---------------------------------------------------------------- choosing the base


def _bases(engine: FakeEngine, settings: Settings, explicit: str | None = None) -> BaseImages:
    return BaseImages(engine, settings, explicit=explicit, pull_timeout=1)


def _bootstrapped(recipe: str | None = None) -> ImageInfo:
    return _image(BOOTSTRAP_TAG, **{LABEL_HASH: recipe or BaseImages.recipe_hash()})


@pytest.fixture
def bootstraps(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record bootstraps instead of running debootstrap."""
    calls: list[str] = []

    def bootstrap(self: BaseImages) -> ImageInfo:
        calls.append("bootstrap")
        return _bootstrapped()

    monkeypatch.setattr(BaseImages, "_bootstrap", bootstrap)
    return calls


def test_base_prefers_python_slim_when_present(settings: Settings, bootstraps: list[str]) -> None:
    engine = FakeEngine({DEFAULT_BASE: _image(DEFAULT_BASE), BOOTSTRAP_TAG: _bootstrapped()})
    assert _bases(engine, settings).resolve()[0] == DEFAULT_BASE
    assert engine.pulls == []
    assert bootstraps == []


def test_base_reuses_a_current_bootstrap_without_pulling(
    settings: Settings, bootstraps: list[str]
) -> None:
    engine = FakeEngine({BOOTSTRAP_TAG: _bootstrapped()})
    assert _bases(engine, settings).resolve()[0] == BOOTSTRAP_TAG
    assert engine.pulls == []
    assert bootstraps == []


def test_base_pulls_before_bootstrapping(settings: Settings, bootstraps: list[str]) -> None:
    engine = FakeEngine(pullable=True)
    assert _bases(engine, settings).resolve()[0] == DEFAULT_BASE
    assert engine.pulls == [DEFAULT_BASE]
    assert bootstraps == []


@pytest.mark.parametrize(
    "present",
    [pytest.param({}, id="nothing"), pytest.param({BOOTSTRAP_TAG: "old"}, id="old-recipe")],
)
def test_base_bootstraps_once_when_it_cannot_pull(
    settings: Settings, bootstraps: list[str], present: dict[str, str]
) -> None:
    engine = FakeEngine({tag: _bootstrapped(recipe) for tag, recipe in present.items()})
    bases = _bases(engine, settings)
    assert bases.resolve()[0] == BOOTSTRAP_TAG
    assert bases.resolve()[0] == BOOTSTRAP_TAG
    assert engine.pulls == [DEFAULT_BASE]
    assert bootstraps == ["bootstrap"]


def test_base_find_never_pulls_or_bootstraps(settings: Settings, bootstraps: list[str]) -> None:
    engine = FakeEngine(pullable=True)
    assert _bases(engine, settings).find() is None
    assert engine.pulls == []
    assert bootstraps == []


def test_explicit_base_must_exist_or_pull(settings: Settings, bootstraps: list[str]) -> None:
    engine = FakeEngine({DEFAULT_BASE: _image(DEFAULT_BASE)})
    with pytest.raises(ImageNotFoundError, match="acme/base:1"):
        _bases(engine, settings, explicit="acme/base:1").resolve()
    assert engine.pulls == ["acme/base:1"]
    assert bootstraps == []


def test_bootstrap_needs_root(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base_image, "_is_root", lambda: False)
    with pytest.raises(ImageBuildError, match="needs root"):
        _bases(FakeEngine(), settings).resolve()


def test_debootstrap_command_is_minbase_with_python(tmp_path: Path) -> None:
    command = debootstrap_command(
        "/usr/sbin/debootstrap",
        tmp_path / "rootfs",
        "http://deb.debian.org/debian",
        cache_dir=tmp_path / "debs",
        keyring=None,
    )
    assert command == [
        "/usr/sbin/debootstrap",
        "--variant=minbase",
        "--include=python3,python3-venv,ca-certificates,passwd",
        f"--cache-dir={tmp_path / 'debs'}",
        "bookworm",
        str(tmp_path / "rootfs"),
        "http://deb.debian.org/debian",
    ]


def test_slim_keeps_copyright_and_drops_docs(tmp_path: Path) -> None:
    rootfs = tmp_path / "rootfs"
    kept = [
        _write(rootfs / "usr/share/doc/bash/copyright"),
        _write(rootfs / "usr/share/locale/locale.alias"),
        _write(rootfs / "usr/bin/python3"),
    ]
    dropped = [
        _write(rootfs / "usr/share/doc/bash/README.gz"),
        _write(rootfs / "usr/share/man/man1/bash.1.gz"),
        _write(rootfs / "usr/share/locale/de/LC_MESSAGES/bash.mo"),
        _write(rootfs / "var/cache/apt/archives/bash_5.2_amd64.deb"),
        _write(rootfs / "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease"),
    ]
    base_image._slim(rootfs)
    assert all(path.exists() for path in kept)
    assert not any(path.exists() for path in dropped)
    assert (
        "path-exclude /usr/share/doc/*"
        in (rootfs / "etc/dpkg/dpkg.cfg.d/watchkeeper-slim").read_text()
    )


# ---------------------------------------------------------------- the builder


def _builder(engine: FakeEngine, settings: Settings, lines: list[str]) -> ImageBuilder:
    return ImageBuilder(engine, settings, progress=lines.append)


def test_build_then_up_to_date(
    tmp_path: Path, settings: Settings, no_downloads: list[list[str]]
) -> None:
    folder = _folder(
        tmp_path, 'name = "demo"\nrequirements = "req.txt"\nmonitor = "data-quality"\n'
    )
    _write(folder / "req.txt", "numpy\n")
    engine = FakeEngine({DEFAULT_BASE: _image(DEFAULT_BASE)})
    engine.build_stream = [{"stream": "Step 1/2 : ARG   BASE_IMAGE\n"}, {"stream": " ---> abc\n"}]
    lines: list[str] = []
    manifest = load_manifest(folder)
    first = _builder(engine, settings, lines).build(manifest)
    assert first.built
    (build,) = engine.builds
    assert build["buildargs"] == {"BASE_IMAGE": DEFAULT_BASE}
    assert build["labels"] == {
        LABEL_MANAGED: "true",
        LABEL_NAME: "demo",
        LABEL_HASH: first.content_hash,
        "io.watchkeeper.monitor": "data-quality",
    }
    assert "_wheels/pydantic-2.0-py3-none-any.whl" in build["files"]
    assert "_wheels/requirements.txt" in build["files"]
    assert build["requirements"] == f"numpy\n{SDK_DISTRIBUTION}\n"
    assert no_downloads[0][0] == "numpy"
    assert "[demo] step 1/2 ARG BASE_IMAGE" in lines
    second = _builder(engine, settings, lines).build(manifest)
    assert not second.built
    assert second.image_id == first.image_id
    assert len(engine.builds) == 1
    assert lines[-1].startswith("[demo] up to date")
    assert not list(settings.cache.glob("context-*"))


def test_changed_input_rebuilds_and_drops_the_old_image(
    tmp_path: Path, settings: Settings, no_downloads: list[list[str]]
) -> None:
    folder = _folder(tmp_path)
    engine = FakeEngine({DEFAULT_BASE: _image(DEFAULT_BASE)})
    first = _builder(engine, settings, []).build(load_manifest(folder))
    _write(folder / "app.py", "print('changed')\n")
    second = _builder(engine, settings, []).build(load_manifest(folder))
    assert second.built
    assert second.content_hash != first.content_hash
    assert engine.removed == [first.image_id]


def test_force_rebuilds_without_cache(
    tmp_path: Path, settings: Settings, no_downloads: list[list[str]]
) -> None:
    engine = FakeEngine({DEFAULT_BASE: _image(DEFAULT_BASE)})
    manifest = load_manifest(_folder(tmp_path))
    _builder(engine, settings, []).build(manifest)
    assert _builder(engine, settings, []).build(manifest, force=True).built
    assert [build["nocache"] for build in engine.builds] == [False, True]


def test_build_error_carries_the_log_tail(
    tmp_path: Path, settings: Settings, no_downloads: list[list[str]]
) -> None:
    engine = FakeEngine({DEFAULT_BASE: _image(DEFAULT_BASE)})
    engine.build_stream = [
        {"stream": "Step 2/3 : RUN false\n"},
        {"error": "The command '/bin/sh -c false' returned a non-zero code: 1"},
    ]
    with pytest.raises(ImageBuildError, match="non-zero code") as caught:
        _builder(engine, settings, []).build(load_manifest(_folder(tmp_path)))
    assert "Step 2/3 : RUN false" in str(caught.value.context["log_tail"])
    assert not list(settings.cache.glob("context-*"))


# ---------------------------------------------------------------- the CLI


def test_cli_images_list_json(monkeypatch: pytest.MonkeyPatch) -> None:
    row = images.ImageState("noop", "watchkeeper/noop:latest", "abc", "", 1, "h", "stale")
    monkeypatch.setattr("runtime.cli.images.list_images", lambda: [row])
    result = CliRunner().invoke(cli, ["images", "list", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)[0]["state"] == "stale"
    table = CliRunner().invoke(cli, ["images", "list"])
    row_cells = ["watchkeeper/noop:latest", "abc", "0", "MB", "h", "stale"]
    assert table.output.splitlines()[1].split() == row_cells


def test_cli_images_build_reports_errors_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> list[images.BuildResult]:
        raise ConfigurationError("no image named 'nope' (known: noop)")

    monkeypatch.setattr("runtime.cli.images.build_images", fail)
    result = CliRunner().invoke(cli, ["images", "build", "nope"])
    assert result.exit_code == 2
    assert "error: no image named 'nope' (known: noop)" in result.output


def test_a_dockerfile_without_wheels_gets_no_wheelhouse(
    tmp_path: Path, settings: Settings, no_downloads: list[list[str]]
) -> None:
    folder = _folder(tmp_path, 'name = "stdlib-only"\nrequirements = "req.txt"\n')
    _write(folder / "Dockerfile", "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n")
    _write(folder / "req.txt", "numpy\n")
    engine = FakeEngine({DEFAULT_BASE: _image(DEFAULT_BASE)})
    manifest = load_manifest(folder)
    result = _builder(engine, settings, []).build(manifest)
    assert no_downloads == []
    assert engine.builds[0]["requirements"] is None
    base_id = _image(DEFAULT_BASE).id
    expected = content_hash(
        context_files(manifest), requirements=[], sdk_digest="", base_id=base_id
    )
    assert result.content_hash == expected
