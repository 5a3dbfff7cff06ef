"""Peak memory of a run stays within a bound per person (a bound, not a timing).

A 200,000-person baseline county is built (population and spin-up) and run for two years
in a fresh process, with `tracemalloc` following every allocation, numpy's arrays
included. The peak, per registered person, must stay under `BYTES_PER_PERSON`: the person
and household arrays take about 200 bytes a person, and what a step allocates on top of
them must stay bounded (choosers weighed in chunks, no whole-population temporaries piling
up). The peaks were 231 (setup) and 243 (run) in November 2026.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BYTES_PER_PERSON = 275
PEOPLE = 200_000

CHILD = f"""
import json, tracemalloc
from countysim.model import CountyModel
from countysim.runner import prepare

sc = prepare({str(ROOT / "scenarios" / "baseline.yaml")!r}, [
    "county.generate.registered_population={PEOPLE}", "years.end=2013"])
tracemalloc.start()
model = CountyModel(sc)
_, setup_peak = tracemalloc.get_traced_memory()
tracemalloc.reset_peak()
model.run()
_, run_peak = tracemalloc.get_traced_memory()
print(json.dumps({{"setup": setup_peak, "run": run_peak, "persons": len(model.persons)}}))
"""


def test_peak_memory_per_person_is_bounded():
    out = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True, timeout=300
    )
    peaks = json.loads(out.stdout.strip().splitlines()[-1])
    assert peaks["persons"] > 0.9 * PEOPLE
    for phase in ("setup", "run"):
        per_person = peaks[phase] / PEOPLE
        assert per_person <= BYTES_PER_PERSON, f"{phase}: {per_person:.0f} bytes per person"
