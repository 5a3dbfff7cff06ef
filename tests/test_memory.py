"""Peak memory of a run stays within a bound per person (a bound, not a timing).

A 200,000-person baseline county is built (population and spin-up) and run for two years
in a fresh process, with `tracemalloc` following every allocation in the C library's heap,
numpy's arrays included. The person columns live outside that heap, in memory of their own
(`population.reserve`), so their bytes (`Persons.nbytes`) are added to the heap's peak. The
sum, per registered person, must stay under `BYTES_PER_PERSON`: the person and household
arrays take about 175 bytes a person, and what a step allocates on top of them must stay
bounded (choosers weighed in chunks, no whole-population temporaries piling up). On Linux
the peak resident set beyond what the imports held, which counts the C library's kept free
memory and what pages of libraries a run loads, must also stay under `RESIDENT_PER_PERSON`.
In the setup the heap's peak comes before the persons exist (the households are formed),
so the sum is an upper bound there. The sums were 261 (setup) and 232 (run) bytes, and 254
resident, in November 2026.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BYTES_PER_PERSON = 275
RESIDENT_PER_PERSON = 300
PEOPLE = 200_000

CHILD = f"""
import json, resource, tracemalloc
from countysim.model import CountyModel
from countysim.runner import prepare

sc = prepare({str(ROOT / "scenarios" / "baseline.yaml")!r}, [
    "county.generate.registered_population={PEOPLE}", "years.end=2013"])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
tracemalloc.start()
model = CountyModel(sc)
_, setup_peak = tracemalloc.get_traced_memory()
setup_peak += model.persons.nbytes
tracemalloc.reset_peak()
model.run()
_, run_peak = tracemalloc.get_traced_memory()
run_peak += model.persons.nbytes
tracemalloc.stop()
resident = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
print(json.dumps({{"setup": setup_peak, "run": run_peak, "resident": resident,
                   "persons": len(model.persons)}}))
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
    if sys.platform.startswith("linux"):
        per_person = peaks["resident"] / PEOPLE
        assert per_person <= RESIDENT_PER_PERSON, f"resident: {per_person:.0f} bytes per person"
