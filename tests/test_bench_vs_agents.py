"""The per-agent benchmark's sub-step agrees with the model's arrays on a tiny county, and
its agreement check notices a per-agent version that follows another rule."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from countysim.population import EMPLOYED

PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_vs_agents.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_vs_agents", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_agents_and_arrays_agree_within_sampling_error(bench):
    report = bench.compare(1500, seeds=4, tolerance=4.0, verbose=False)
    assert report["wage_max_relative_gap"] < 1e-9  # the clearing is deterministic
    disagree = [name for name, (*_, agree) in report["measures"].items() if not agree]
    assert not disagree, report["measures"]


def test_the_check_notices_agents_that_always_find_a_job(bench, monkeypatch):
    def always_employed(person):
        person.status = EMPLOYED

    monkeypatch.setattr(bench.Person, "seek_work", always_employed)
    report = bench.compare(1500, seeds=4, tolerance=4.0, verbose=False)
    assert not report["measures"]["employment_rate"][3]
