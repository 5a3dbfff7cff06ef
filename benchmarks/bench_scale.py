"""Run time and memory of the baseline at several county sizes.

Prints the CPU time of setting up (world, population and spin-up) and of the simulated
years, microseconds per person-year and peak memory (resident set, and bytes per person)
for each size (bytes per person: the peak beyond what the interpreter and libraries held
before the model was built), 2012-2050 by default (the baseline scenario with all its
mechanisms and sub-steps), and the pages of library code the run read in ("code MB",
part of the peak: a process reads them once, whatever the county's size, and shares them).
Each size runs in a fresh process, so peak memory is that run's own, with BLAS and OpenMP
pinned to one thread: the figures are those of one core. Times are process CPU time
(`time.process_time`), which other work on a shared machine disturbs less than wall time
does. The peak varies by a few bytes a person from run to run (up to 15 at 200,000), with
where the C library places arrays: compare several runs.

    python benchmarks/bench_scale.py [--sizes 50000 200000 1000000] [--end 2050] [--repeat 1]

History (November 2026; baseline 2012-2050, CPU time on two cores shared with other work,
single runs; each round before -> after, on the model of its start and of its end; the
first round's peaks are whole resident sets in MB, the others' bytes a person):

    round                                us/person-year              peak
                                         200,000       1,000,000     200,000     1,000,000
    1 lookup tables, pid table, chunks   1.09 -> 0.86  1.16 -> 0.95  305 -> 217  907 -> 442 MB
    2 partners among movers, recorder    0.85 -> 0.64  0.89 -> 0.65  373 -> 384  320 -> 298
    3 staff hiring, land market, take    1.01 -> 0.61  1.18 -> 0.62  411 -> 332  315 -> 286
    4 gathers by take, incomes' peaks    0.60 -> 0.61  0.66 -> 0.60  334 -> 323  290 -> 282
    5 memory (below)                     0.58 -> 0.46  0.62 -> 0.44  335 -> 291  288 -> 254

Round 1: codes looked up in tables, a pid-to-row table, the location choice keeping its
network from those who move and weighing choosers in chunks, farm production reused in a
sub-step, grouping by counting, pairwise sums instead of BLAS in the measures. Round 2:
partners sought among the movers' households, the recorder counting per place, glibc
keeping freed memory (`memory.keep_freed_memory`: about 7% of the CPU time, page faults of
fresh temporaries), person arrays with spare rows. Round 3: public staff found among the
heads of each place's queue, the land market's rents from running sums, sums over those
concerned, activity states as ranges of codes, the largest gathers by `take`. Round 4: the
choice's terms and the modules' lookups gathered by `take`, the incomes and census passes
freeing their arrays in turn. A yearly `malloc_trim` was tried (round 4): no lower peak, 7%
slower.

Round 5 (memory, November 2026). Before and after, the same conditions (the model of the
round's start, and of its end, which also carries the speed work of the same days on the
location choice, farming, land and labour):

    people      setup s        run s          us/person-year   peak B/person
                before after   before after   before after     before after
    10,000         0.1   0.1      0.6   0.6     1.60  1.54       1967  1815
    50,000         0.2   0.2      1.4   1.1     0.70  0.56        556   488
    200,000        0.8   0.6      4.6   3.6     0.58  0.46        335   291
    450,000        1.9   1.4     11.2   8.1     0.63  0.46        305   265
    1,000,000      4.4   2.9     24.4  17.1     0.62  0.44        288   254

(means of two runs, three at 10,000, measured there back to back; at 200,000 six runs
after gave 290-294, five of them 290 or 291. Later, with the choice's sub-step freeing its
arrays before the family moves and the speed work landed meanwhile: 200,000 291-299 in five
runs, 450,000 265 and 267, 1,000,000 247 and 249, 0.45, 0.44 and 0.43 us.) The peak's
growth per added person fell from 281 to 242 bytes (200,000 to 450,000) and from 273 to
247 (450,000 to 1,000,000). What did it, the same values everywhere (golden outputs and
tables identical):

- person columns and household arrays in memory of their own (`memory.reserve`: anonymous
  private mappings) instead of the C library's heap: spare rows take no memory until
  written, rows freed by deaths are handed back, the buffers double when full (no copies
  at every 32nd), and assigning a household array writes into its buffer; in the heap they
  sat among the passes' temporaries, and their growth left holes (329 -> 291 at 200,000 on
  its own, 296 -> 266 at 450,000, single runs);
- narrower or fewer person columns: pension areas int8 (at most 127 areas: the county and
  its few outside cities); personal pension contributions worked out at the incomes' pass
  from the year's members and earnings instead of kept (8 bytes). Contribution years stay
  float64: the starting years are 0.8 (urban enrolment) times years since school and a move
  keeps 0.7 (portability) of them, which float32 would round;
- what only the sub-steps read dropped once they are over: the last sub-step's farm
  production (a labour weight per person and arrays per household, about 25 bytes a
  person), the location choice's rows of children, mothers and adults, its network and
  residence tables (8 bytes a person and 1.4 MB), all held before through the year's
  income, census and land passes (-13 and -7 bytes a person at 200,000); the moving costs
  in one places-by-places table (0.7 MB);
- the place panel held compactly (`year_panel.py`: each year's numbers in the narrowest type
  that gives them back bit for bit, compressed; names and levels kept once): 2.5 MB -> 1 MB
  by 2050;
- lower peaks of passes: the land step's four membership counts dropped before the leases,
  kin tenancy's index arrays freed once summed (the land step 60 -> 44 bytes a person above
  what it starts with), the population's building without `np.unique`'s sorts or fill
  columns it replaces (its heap peak 156 -> 108).

What did not pay: the place panel in memory of its own (its small arrays fill holes of the
heap; on their own they added to the peak); a lower mapping threshold for the C library (1
MB: no lower peak at 200,000, 53% slower at 450,000); a `malloc_trim` after the spin-up; the
pid table's pages handed back between lookups (within the noise).

A margin (memory, November 2026), the same values and draws (golden outputs pass): 200,000
286-292 -> 261-275 bytes a person (three runs before; nine after, three sets of three as
it landed, the last 265-267 on a busier machine), 450,000 249 (one run), 1,000,000 247 ->
234 (run 17.9 s, 0.46 us a person-year, setup 3.1 s; one run); at 200,000 the same time as
before, back to back (3.39 and 3.37 s, three runs each). The traced heap's peak (memory
test) of the spin-up 259 -> 216 and of the years 236 -> 216. What did it: the choosers'
rows int32 and their uniforms drawn chunk by chunk as the weighed need them (the same
stream), half chunks when most adults choose (the spin-up's first sub-step); land's tenure
hazards held by year of contract end (a table of a few dozen years) instead of two arrays
of every household; the requisition's lasting draws drawn again from its stream's start in
the years it takes land instead of held; the partners' search freed before their network
cells are counted, the network updated part by part, its utility computed for the cells
asked instead of a P x P table each sub-step, the network counted in int32, the partner
pool without its households. At 200,000 the baseline has 291 places: a P x P float64 table
is 0.7 MB, 3.4 bytes a person.

What is left at 200,000 (265): the person columns and household arrays 125 bytes a person;
the heap's peak about 90 above them (the modules keep about 25 between passes: land's
household arrays, the distances, moving costs and services' weights, 3.4 each; during
the sub-steps about 60, with farming's production and the choice's rows of the year), at
the years' sub-steps (a chunk of 8,192 choosers weighed, about 24 bytes a person, or
farming's production); the rest is holes between arrays that the C library cannot fill and
4.8 MB of library code (24 bytes a person at 200,000, 5 at 1,000,000). Half chunks in
every sub-step would lower the years' peak by about 12 but cost 8% of the time at
200,000 (one chunk of about 8,000 choosers a sub-step becomes two).

Round 6 (speed, November 2026). Three changes of random draws, each with the same
probabilities as before and tested against them (the golden outputs regenerated after
each; national indicators over 10-30 seeds before and after within sampling error): the
location choice draws its option from the logit probabilities with one uniform per chooser
(the inverse of their cumulative sum) instead of a Gumbel per option and an argmax (a
Gumbel costs about 22 ns, a uniform 5, an exponential 1); the activity draws (who
reconsiders in a sub-step) are made only for those they select, by geometric gaps, instead
of a uniform for every person each sub-step; the public-staff queue's noise and position
chances only for the seekers of the queue groups where a place's posts run out. The rest
gives the same values: options weighed only for choosers with more than one, terms looked
up per home place and computed once for commuting to a place and moving there, the
choosers' columns gathered once a chunk and shared by the terms, selects and masks on flags
in no order done by arithmetic or by index (a mispredicted branch per person costs about
3 ms a million), indices of non-zero values found from masks, sums over households with
something to add only. The whole issue's path, on a quiet machine (CPU time, single runs),
from the model of the round's start (after round 4) to its end (with round 5 and the
margin above):

    people      setup s        run s          us/person-year   peak B/person
                before after   before after   before after     before after
    10,000         0.1   0.1      0.6   0.5     1.60  1.33       1967  1787
    50,000         0.2   0.2      1.4   1.1     0.70  0.55        556   478
    200,000        0.8   0.6      4.9   3.2     0.63  0.41        328   266
    450,000        1.8   1.2     10.7   7.1     0.60  0.40        297   250
    1,000,000      4.0   2.8     23.8  16.6     0.61  0.42        280   236

1,000,000 people 2012-2050: 27.8 s -> 19.4 s (on two cores busy with other work, 19.6-20.0
s). Per simulated year at 1,000,000 (each step timed on its own): the location choice 0.22
-> 0.135 s, the labour market 0.077 -> 0.057, the recorder 0.067 -> 0.05, land 0.057 ->
0.039, farming 0.053 -> 0.037, incomes 0.041 -> 0.035, pensions 0.030 -> 0.015, demography
0.030 -> 0.028 (`population.keep` about 19 ms of it: 25 columns at about 0.4 ms each,
gathering in blocks or by masks no faster). What is left is spread over hundreds of passes
of 1-2 ms; the next step would be fewer person columns or passes fused in compiled code.
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
