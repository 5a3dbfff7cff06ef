"""Run time and memory of the baseline at several county sizes.

Prints the CPU time of setting up (world, population and spin-up) and of the simulated
years, microseconds per person-year and peak memory (resident set, and bytes per person)
for each size (bytes per person: the peak beyond what the interpreter and libraries held
before the model was built), 2012-2050 by default (the baseline scenario with all its mechanisms and
sub-steps). Each size runs in a fresh process, so peak memory is that run's own, with
BLAS and OpenMP pinned to one thread: the figures are those of one core. Times are
process CPU time (`time.process_time`), which other work on a shared machine disturbs
less than wall time does.

    python benchmarks/bench_scale.py [--sizes 50000 200000 1000000] [--end 2050] [--repeat 1]

Measured on two cores shared with other work (run with `nice`; CPU time, single runs, so
a few per cent is noise), baseline 2012-2050, before and after the array work of
November 2026 (lookup tables for codes, a pid-to-row table, the location choice keeping
its network from those who move and weighing choosers in chunks, farm production reused
in a sub-step, grouping by counting, pairwise sums instead of BLAS in the measures):

    people      setup s        run s          us/person-year   peak MB
                before after   before after   before after     before after
    50,000         0.4   0.3      2.3   1.7     1.16  0.88        190   182
    200,000        1.5   1.0      8.5   6.8     1.09  0.86        305   217
    450,000          -   2.2        -  14.4        -  0.82          -   282
    1,000,000      9.0   5.8     45.3  37.1     1.16  0.95        907   442

(1,000,000 "after" was measured midway, before changes that gained another 13% at 450,000.)
Later, with couples moving together in the location choice (a new mechanism that costs
time), on a quiet machine: 200,000 1.1 s + 6.5 s (0.83 us, 381 B per person); 450,000
2.4 s + 16.0 s (0.91 us, 334 B); 1,000,000 6.0 s + 32.6 s (0.83 us, 443 MB). The peak beyond the
interpreter and libraries is about 310 bytes per person at 1,000,000; `tracemalloc`, which
counts only what is allocated, gives 250-265 bytes at 200,000 (`tests/test_memory.py`
bounds it at 300). Repeated runs on the shared machine vary by up to 15%.

On Linux, a good part of the system time was page faults of fresh temporaries: glibc
handed every freed array of a person column's size back to the system. The person arrays
now ask glibc (`mallopt`) to keep freed memory for the next array, which saves about 7% of
the CPU time (most of the time of some passes) at the same peak memory.

A second round of array work (November 2026: partners sought only among the movers'
households, the recorder counting per place and taking both Theil splits from one pass of
logarithms, glibc keeping freed memory, the location choice's options looked up by home
place and its income and residence terms computed once per distinct workplace and
residence, person arrays with spare rows, demography's rules applied to those they
concern), measured on the same model before and after (the model of the start of the
round; CPU time, single runs, two shared cores):

    people      setup s        run s          us/person-year   peak B/person
                before after   before after   before after     before after
    10,000         0.1   0.1      0.6   0.5     1.42  1.30       2839  2851
    50,000         0.3   0.2      1.6   1.4     0.84  0.70        764   766
    200,000        1.1   0.8      6.7   5.1     0.85  0.64        373   384
    450,000        2.4   1.8     15.4  11.2     0.87  0.64        336   332
    1,000,000      5.8   4.4     34.9  25.6     0.89  0.65        320   298

1,000,000 people 2012-2050 took 30.0 s (40.7 s before). Mechanisms added in the same
weeks cost time of their own: the model at the end of the round (public-service posts,
kin tenancy, land requisition and more) took 7.4 s + 43.0 s at 1,000,000 (1.10 us), 1.3 s
+ 8.0 s at 200,000 (1.02 us). Of the 0.65 us, the location choice's own work is about
0.18, the recorder's 0.05 and demography's 0.04; the rest is the other modules, and the
choice terms they add (land, pensions, farm income).

A third round (November 2026) won back what those mechanisms cost: public staff found
among the heads of each place's queue (the queue's groups counted, only the groups where
the posts run out sorted) instead of a five-key sort of every seeker at every sub-step;
land requisition ordering the holdings of the villages that give land only; the land
market's rent search asking the offers from running sums over households sorted once by
the rent at which each starts to offer, instead of every household's offer at each step;
farming, incomes and the labour market summing over the households and persons their terms
concern; activity states tested as ranges of codes and the largest gathers done by `take`
(quicker than indexing, by a third or more); choosers weighed in chunks of 8,192; the tables'
text columns kept in the C library's heap. Measured before and after (the model at the
start of the round and at its end; CPU time, single runs, two cores shared with other
work, so a few per cent is noise):

    people      setup s        run s          us/person-year   peak B/person
                before after   before after   before after     before after
    10,000         0.1   0.1      0.8   0.6     2.00  1.42       3146  1992
    50,000         0.4   0.2      2.3   1.4     1.16  0.70        805   558
    200,000        1.3   0.8      7.9   4.8     1.01  0.61        411   332
    450,000        3.1   1.8     18.8  11.1     1.06  0.63        341   305
    1,000,000      7.5   4.3     46.2  24.4     1.18  0.62        315   286

1,000,000 people 2012-2050 took 28.7 s (53.7 s before, in the same conditions). Where the
0.63 s of a simulated year at 1,000,000 go now (cProfile, four years): the location choice
0.25 s (weighing the options 0.16, of which the pension term 0.03, the land term 0.03, the
residence terms 0.03 and the expected incomes 0.02; partners, children and the network
0.06), the labour market 0.08 (staff hiring 0.04), the recorder 0.08 (census measures
0.02), land 0.06 (the rental market 0.05), farming 0.06, incomes 0.05, pensions 0.03,
demography 0.03, hukou 0.02. Peak memory at 200,000 is about 330 bytes a person: the
population's arrays about 200, the first sub-step's choice (every adult chooses) and the
year's income and census passes 40-60 more at their peaks, and glibc's kept free memory
the rest.

A fourth round (November 2026, short): the location choice's pension, land and income
terms and its per-chooser, partners' and children's columns gathered by `take` (place
tables and person columns, the commuting distances from the flattened table), as were
farming's household-level lookups and labour's queue classes; the year's incomes dividing
per household and looking the quotients up, counting stayers from their rows, settling
senders and receivers in turn with their arrays freed, writing the co-resident means into
their column and adding the village dividends by slices; the census measures gathering
place codes into int32 and freeing each once counted; pension schemes set by masked
copies. The same values everywhere (golden outputs and a census county's tables
identical). Before and after (the model at the start of the round and at its end, which
also carries a small recorder change made meanwhile; CPU time, single runs, two cores
shared with other work):

    people      setup s        run s          us/person-year   peak B/person
                before after   before after   before after     before after
    10,000         0.1   0.1      0.5   0.6     1.38  1.56       1994  1964
    50,000         0.2   0.2      1.4   1.4     0.72  0.72        563   552
    200,000        0.8   0.8      4.7   4.8     0.60  0.61        334   323
    450,000        1.8   1.9     10.7  10.9     0.61  0.62        299   304
    1,000,000      4.2   4.2     25.8  23.7     0.66  0.60        290   282

1,000,000 people 2012-2050 took 27.9 s (30.0 s before). Run one after the other on the
same load, before and after: 200,000 0.63 and 0.60 us (328 and 326 bytes), 1,000,000
29.6 s and 27.7 s (0.64 and 0.60 us, 284 and 283 bytes). Below 450,000 the differences
are within the noise. (The land market's lookups by `take` came after these figures.)
What is left is spread thin (at 1,000,000 the gathers by `take` are 17% of a year, over
about 2,000 calls, the largest each module's whole-population lookups of the households'
home places). `tracemalloc` peaks at 200,000 fell from 245 to 231
bytes a person in the setup and from 257 to 243 in the first years (the incomes' own from
53 to 35 above the population's arrays, the census measures' from 35 to 24); the resident
set hardly moved (a few bytes), as the largest passes now sit close together (choice,
land, incomes and recorder all within 40-45 bytes of the arrays). What is held between
passes grows over the run at 200,000 by about 25 bytes a person, from 197 to 223, though
the population shrinks: about half is the recorder's yearly place panels (2.7 MB by 2050
whatever the county's size, so 13 bytes a person at 200,000 and 3 at 1,000,000), the rest
the person buffers' spare rows and the pid-to-row table, which grows with every pid given.
A yearly `malloc_trim` was tried: no lower peak, 7% slower.

At the end of that round, with all of the land market's lookups (same conditions):
200,000 0.8 s + 4.9 s (0.63 us, 328 bytes a person), 450,000 1.8 s + 10.7 s (0.60 us,
297 bytes), 1,000,000 4.0 s + 23.8 s = 27.8 s (0.61 us, 280 bytes). The script now also
prints how much the peak grows per person added from one size to the next, which leaves
out what a run holds whatever its size: 272 bytes from 200,000 to 450,000, 267 from
450,000 to 1,000,000. About 11 MB are held whatever the size, which is what lifts 200,000
above 300 bytes a person.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def one_run(size: int, end: int) -> dict:
    from threadpoolctl import threadpool_limits

    from countysim.model import CountyModel
    from countysim.runner import prepare

    threadpool_limits(1)
    sc = prepare(BASELINE, [f"county.generate.registered_population={size}", f"years.end={end}"])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # imports, scenario
    code_before = _library_pages()
    t0 = time.process_time()
    model = CountyModel(sc)
    t_init = time.process_time() - t0
    person_years = 0
    t1 = time.process_time()
    for _ in range(sc.years.start, sc.years.end + 1):
        model.step()
        person_years += len(model.persons)
    model.recorder.tables()
    t_run = time.process_time() - t1
    years = sc.years.end - sc.years.start + 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "size": size,
        "years": years,
        "init_s": t_init,
        "run_s": t_run,
        "s_per_year": t_run / years,
        "us_per_person_year": 1e6 * t_run / person_years,
        "peak_mb": peak / 2**20,
        "peak_bytes_per_person": (peak - before) / size,
        "peak_growth_bytes": peak - before,
        "code_mb": (_library_pages() - code_before) / 2**20,
    }


def _library_pages() -> int:
    """Resident pages mapped from files (the code of libraries, read in as it is first
    run), in bytes; 0 where /proc is not there. A process reads them once, whatever the
    county's size, and shares them with others."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("RssFile:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 200_000, 1_000_000])
    parser.add_argument("--end", type=int, default=2050, help="last simulated year")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(args.child, args.end)))
        return
    header = (
        "people",
        "years",
        "setup s",
        "run s",
        "s/year",
        "us/person-yr",
        "peak MB",
        "B/person",
        "code MB",
    )
    widths = (10, 5, 8, 7, 7, 13, 8, 9, 8)
    print(" ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    growth: dict[int, list[float]] = {}
    for size in args.sizes:
        for _ in range(args.repeat):
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(size), "--end", str(args.end)],
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode:
                sys.exit(f"size {size} failed:\n{out.stderr}")
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{r['size']:>10,} {r['years']:>5} {r['init_s']:>8.1f} {r['run_s']:>7.1f} "
                f"{r['s_per_year']:>7.2f} {r['us_per_person_year']:>13.2f} {r['peak_mb']:>8.0f} "
                f"{r['peak_bytes_per_person']:>9.0f} {r['code_mb']:>8.1f}",
                flush=True,
            )
            growth.setdefault(size, []).append(r["peak_growth_bytes"])
    # The peak per person includes what a run holds whatever its size (the place panels,
    # tables, parts of libraries loaded when tables are built), which weighs most on small
    # counties; the growth of the peak from one size to the next is the cost of a person.
    sizes = sorted(growth)
    for small, large in zip(sizes, sizes[1:], strict=False):
        extra = min(growth[large]) - min(growth[small])
        print(
            f"peak growth per added person, {small:,} -> {large:,}: {extra / (large - small):.0f} B"
        )


if __name__ == "__main__":
    main()
