"""Checks that a path the user named can be written, made *before* any work starts.

``os.access`` is not enough: as root it says yes to ``/proc`` and to read-only mounts.
These checks create (and remove) a temporary file in the nearest existing folder, which
is what the later write will need. Each failure is a one-line :class:`UsageError` naming
the option, the path and the fix.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

from generator.errors import UsageError

__all__ = [
    "write_text_atomically",
    "writable_file",
    "writable_folder",
    "nearest_existing",
    "in_checkout",
    "PROJECT_ROOT",
    "INSTALLED_NAMES",
    "SPECS_DIR",
    "REGISTRY_FILE",
    "OVERLAYS_DIR",
    "PROFILES_DIR",
    "GENERATED_DIR",
]


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: a reader sees the
    old file or the new one, never half of it. Missing folders are created; the file is
    0644 (``mkstemp`` makes 0600; reports and baselines are meant to be shared). Raises
    :class:`OSError`; the temporary file is removed when anything fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def nearest_existing(path: Path) -> Path:
    """``path`` itself if it exists, else its closest existing ancestor."""
    current = path.absolute()
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def _probe(folder: Path, what: str, path: Path, fix: str) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=".aoai-write-check-", dir=folder)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        where = "" if folder == path.absolute() else f": folder {folder} is not writable"
        raise UsageError(f"{what} {path} cannot be written{where} ({reason}); {fix}") from None
    os.close(fd)
    try:
        os.unlink(tmp)
    except OSError:
        pass  # the probe file is empty and hidden; failing to remove it stops nothing


def writable_file(path: Path, what: str, fix: str = "pick a path in a writable folder") -> Path:
    """Refuse ``path`` unless a file can be written there (missing folders may be created)."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise UsageError(f"{what} {path} is a folder; give a file name")
    if path.exists():
        try:
            with open(path, "ab"):
                pass
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise UsageError(f"{what} {path} cannot be written ({reason}); {fix}") from None
        return path
    ancestor = nearest_existing(path.parent)
    if not ancestor.is_dir():
        raise UsageError(f"{what} {path} cannot be written: {ancestor} is a file; {fix}")
    _probe(ancestor, what, path, fix)
    return path


def writable_folder(path: Path, what: str, fix: str = "pick a writable folder") -> Path:
    """Refuse ``path`` unless it is (or can become) a folder that files can be written to."""
    path = Path(path).expanduser()
    if path.exists() and not path.is_dir():
        raise UsageError(f"{what} {path} is a file, not a folder; {fix}")
    ancestor = nearest_existing(path)
    if not ancestor.is_dir():
        raise UsageError(f"{what} {path} cannot be created: {ancestor} is a file; {fix}")
    _probe(ancestor, what, path, fix)
    return path


#: The folder holding generator/, specs/ and generated/: a checkout, or site-packages.
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def in_checkout() -> bool:
    """Whether this code runs from a source checkout (editable install), not a wheel.

    A wheel puts generator/ straight into site-packages, with no pyproject.toml beside it;
    commands that write project files (``generate``, ``specs add``) must not write there.
    """
    installed = {"site-packages", "dist-packages"} & set(PROJECT_ROOT.parts)
    return not installed and (PROJECT_ROOT / "pyproject.toml").is_file()


#: The checkout's data folders and the names a wheel installs them under. ``specs`` and
#: ``generated`` are too generic for site-packages (other distributions ship packages of
#: those names), so the wheel maps them to names of our own (setup.py); a checkout keeps the
#: folders. Code never imports these packages: it asks here where their files are.
INSTALLED_NAMES: dict[str, str] = {
    "specs": "aoai_conformance_specs",
    "generated": "aoai_conformance_generated",
}


def _data_folder(folder: str) -> Path:
    """Where the checkout's ``folder`` is: beside generator/ in a checkout, else installed."""
    if in_checkout():
        return PROJECT_ROOT / folder
    spec = importlib.util.find_spec(INSTALLED_NAMES[folder])
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations))).resolve()
    return PROJECT_ROOT / folder  # a source tree on sys.path without pyproject.toml


#: specs/: the spec registry, overlays and gateway profiles (data only).
SPECS_DIR = _data_folder("specs")
REGISTRY_FILE = SPECS_DIR / "registry.json"
OVERLAYS_DIR = SPECS_DIR / "overlays"
PROFILES_DIR = SPECS_DIR / "profiles"
#: generated/: the generator's default output (``generate`` refuses it outside a checkout).
GENERATED_DIR = _data_folder("generated")
