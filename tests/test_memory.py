"""Peak memory of a run stays within a bound per person (a bound, not a timing).

A 200,000-person baseline county is built, spun up and run for two years in a fresh
process, with `tracemalloc` following every allocation in the C library's heap, numpy's
arrays included. The person columns and the household arrays live outside that heap, in
memory of their own (`memory.reserve`), so their bytes (`Persons.nbytes`,
`Households.nbytes`) are added to the heap's peak of the spin-up and of the years; while
the population is built, its arrays are in the heap (the heap's peak is then that of
forming the households, before the persons exist). Per registered person, each phase must
stay under its bound: the person columns take about 105 bytes a person, the household
arrays 18, the arrays the modules keep 25-60, and what a pass allocates on top of them must
stay bounded (choosers weighed in chunks, no whole-population temporaries piling up, what
only the sub-steps read dropped once they are over). On Linux the peak resident set beyond
what the imports held, which also counts the C library's kept free memory and the pages of
libraries a run reads in, must stay under `RESIDENT_PER_PERSON`.

In November 2026: building 108 bytes a person, spin-up 216, the two years 216, resident
255-270 (it varies from run to run with where the C library places arrays).
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOUNDS = {"build": 120, "spin_up": 240, "run": 240}  # bytes a person
RESIDENT_PER_PERSON = 290
PEOPLE = 200_000

CHILD = f"""
import json, resource, tracemalloc
from countysim.model import CountyModel
from countysim.runner import prepare

sc = prepare({str(ROOT / "scenarios" / "baseline.yaml")!r}, [
    "county.generate.registered_population={PEOPLE}", "years.end=2013"])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
peaks = {{}}
spin_up = CountyModel._spin_up

def held(model):  # the person and household arrays, outside the traced heap
    return model.persons.nbytes + model.households.nbytes

def measured_spin_up(model):
    peaks["build"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    spin_up(model)
    peaks["spin_up"] = tracemalloc.get_traced_memory()[1] + held(model)

CountyModel._spin_up = measured_spin_up
tracemalloc.start()
model = CountyModel(sc)
tracemalloc.reset_peak()
model.run()
peaks["run"] = tracemalloc.get_traced_memory()[1] + held(model)
tracemalloc.stop()
peaks["resident"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
peaks["persons"] = len(model.persons)
print(json.dumps(peaks))
"""


def test_peak_memory_per_person_is_bounded():
    out = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True, timeout=300
    )
    peaks = json.loads(out.stdout.strip().splitlines()[-1])
    assert peaks["persons"] > 0.9 * PEOPLE
    for phase, bound in BOUNDS.items():
        per_person = peaks[phase] / PEOPLE
        assert per_person <= bound, f"{phase}: {per_person:.0f} bytes per person"
    if sys.platform.startswith("linux"):
        per_person = peaks["resident"] / PEOPLE
        assert per_person <= RESIDENT_PER_PERSON, f"resident: {per_person:.0f} bytes per person"
