"""Writing a result folder (or one file) all at once, and never in place of a user's own files.

A result folder is written into a new temporary folder beside its target and moved into place
only when it is complete, so a failure never leaves half of one. The target itself is checked
before anything is written:

- a path that does not exist, or an empty folder, is simply taken;
- a folder that countysim wrote (it holds a ``manifest.json`` with countysim's provenance) is
  replaced, but only when the caller passes ``overwrite=True`` (``--overwrite``);
- anything else (a file, a folder of the user's, a link, the current folder or one above it)
  is refused with ``OutputExistsError`` and left untouched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

#: The file by which countysim recognises a folder it wrote.
MANIFEST = "manifest.json"
#: The manifest key that marks countysim's provenance (runs, comparisons, sweep stores).
_MARK = "countysim_version"
#: A manifest of a result folder is small; a large file is not ours.
_MAX_MANIFEST_BYTES = 64 * 1024 * 1024


class OutputExistsError(Exception):
    """An output path that countysim may not write to: it holds something else, or it cannot
    be written at all (exit status 2 on the command line)."""

    exit_code = 2


def is_result_folder(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a folder countysim wrote: its ``manifest.json`` carries countysim's
    provenance (at the top level, or under ``provenance`` for a sweep store)."""
    manifest = Path(path) / MANIFEST
    try:
        if not manifest.is_file() or manifest.stat().st_size > _MAX_MANIFEST_BYTES:
            return False
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    if not isinstance(data, dict):
        return False
    provenance = data.get("provenance")
    return _MARK in data or (isinstance(provenance, dict) and _MARK in provenance)


def check_output(out_dir: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Raise ``OutputExistsError`` unless a result folder may be written at ``out_dir``.

    Called before a run starts, so a refused target costs no computing; ``atomic_directory``
    checks again when it moves the finished folder into place.
    """
    out = Path(out_dir)
    where = os.fspath(out_dir)
    if out.is_symlink():
        raise OutputExistsError(f"{where} is a link; give the folder itself or a new path")
    if not out.exists():
        ancestor = next(p for p in (out.parent, *out.parent.parents) if p.exists())
        if not ancestor.is_dir():
            raise OutputExistsError(f"{ancestor} is a file, so {where} cannot be made")
        if not os.access(ancestor, os.W_OK | os.X_OK):
            raise OutputExistsError(f"{where} cannot be made: no permission to write in {ancestor}")
        return out
    if not out.is_dir():
        raise OutputExistsError(
            f"{where} is a file, not a result folder; it is left as it is. Choose another path"
        )
    if not os.access(out.parent, os.W_OK | os.X_OK):
        raise OutputExistsError(f"no permission to write in {out.parent}, where {where} is")
    here = Path.cwd().resolve()
    if out.resolve() in (here, *here.parents):
        raise OutputExistsError(
            f"{where} is the current folder or one above it; give a new folder, e.g. results/run1"
        )
    if not any(out.iterdir()):
        return out  # an empty folder holds nothing to lose
    if not is_result_folder(out):
        raise OutputExistsError(
            f"{where} exists and is not a countysim result folder (no countysim {MANIFEST}); "
            "nothing was written and its files are untouched. Choose another path"
        )
    if not overwrite:
        raise OutputExistsError(
            f"{where} holds earlier countysim results; pass --overwrite (overwrite=True) to "
            "replace them, or choose another path"
        )
    return out


@contextmanager
def atomic_directory(out_dir: str | os.PathLike, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a new temporary folder next to ``out_dir``; when the block ends without error it
    is moved to ``out_dir`` (replacing an earlier result folder only with ``overwrite``),
    otherwise it is removed. ``out_dir`` is checked with ``check_output`` first."""
    out = check_output(out_dir, overwrite=overwrite)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as exc:
        raise OutputExistsError(f"{out} cannot be written: {exc.strerror or exc}") from None
    umask = os.umask(0)  # mkdtemp makes a private directory; give it the usual mode
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)
    try:
        yield tmp
        check_output(out, overwrite=overwrite)  # the target may have appeared meanwhile
        _move_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _move_into_place(tmp: Path, out: Path) -> None:
    """Rename ``tmp`` to ``out``; an existing ``out`` (already checked) is set aside first and
    put back if the rename fails, then removed."""
    if not out.exists():
        tmp.rename(out)
        return
    old = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.old")
    out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write a file so that it either exists whole or not at all: ``write`` a temporary file
    next to it, flush that to disk, rename it into place and flush the directory entry."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(temporary)
        with open(temporary, "rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_folder_name(name: str, default: str = "scenario") -> str:
    """A name usable as one folder inside another: characters other than letters, digits,
    ``_``, ``.`` and ``-`` become ``_``, and a leading dot is dropped, so that ``.``, ``..``,
    slashes or control characters can never point outside the parent folder or hide it."""
    safe = _UNSAFE.sub("_", name).lstrip(".")
    return safe[:100] or default
