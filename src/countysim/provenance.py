"""Provenance: what produced an output (version, commit, resolved scenario and its hash, seed)."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import mesa
import numpy as np

from countysim import __version__


def git_commit() -> str:
    """Commit of the countysim source tree, with '-dirty' if it has uncommitted changes;
    'unknown' when the package is not run from a git checkout."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
        if commit.returncode != 0:
            return "unknown"
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return commit.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def scenario_hash(resolved: dict) -> str:
    """SHA-256 of the resolved scenario in canonical JSON: equal hashes, equal inputs."""
    text = json.dumps(resolved, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def environment() -> dict:
    """The software that produced an output: countysim version and commit, Python and the
    numerical libraries whose behaviour the results depend on."""
    return {
        "countysim_version": __version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
    }


def data_files(resolved: dict) -> dict:
    """The shipped data a scenario's county was built from, with their digests."""
    if (resolved.get("county") or {}).get("census") is None:
        return {}
    from countysim.census import TABLE_FILE, table_sha256

    return {"data_files": {TABLE_FILE: table_sha256()}}


def manifest(resolved: dict, *, seconds: float, started: datetime) -> dict:
    env = environment()
    return {
        "countysim_version": env.pop("countysim_version"),
        "git_commit": env.pop("git_commit"),
        "scenario_name": resolved["name"],
        "scenario_hash": scenario_hash(resolved),
        "seed": resolved["seed"],
        "started_utc": started.astimezone(UTC).isoformat(timespec="seconds"),
        "run_seconds": round(seconds, 3),
        **env,
        **data_files(resolved),
        "scenario": resolved,
    }


def footer(info: dict) -> str:
    """One line of provenance printed under figures and in reports."""
    return (
        f"countysim {info['countysim_version']} ({info['git_commit'][:12]}) | "
        f"scenario {info['scenario_name']} sha256:{info['scenario_hash'][:12]} | "
        f"seed {info['seed']}"
    )
