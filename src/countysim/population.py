"""Persons and households as a structure of arrays.

Every person is an agent, but a county has hundreds of thousands of them, so each
attribute is one numpy column and every rule is an array operation. Every person has a
stable id (`pid`); a table from pid to row, rebuilt when deaths remove rows or births
append them, finds a person's row (a mother's, say) in one indexing step.

Column types are as narrow as their range allows, because a million persons make every
byte of a row a megabyte: ids and mothers' ids are int32 (pids are never reused, so this
holds 2^31 persons born or created in one run), ages and years of residence int16, codes
and flags int8 or bool; places are int32 (the census county has thousands of villages).
Incomes and skill stay float64: they are summed over a million persons.

The population a county starts with is built in `population_build.py`.
"""

from __future__ import annotations

import numpy as np

from countysim.memory import (
    hold,
    is_reserved,
    keep_freed_memory,
    release_rows,
    reserve,
    spare_room,
)

# Activity states of a person.
CHILD, STUDENT, FARMER, EMPLOYED, INFORMAL, UNEMPLOYED, RETIRED = range(7)
STATUS_NAMES = ("child", "student", "farmer", "employed", "informal", "unemployed", "retired")
NONFARM = (EMPLOYED, INFORMAL, UNEMPLOYED)


class StatusSet:
    """A set of activity states: `states[p.status]` is the mask of persons in one of them
    (a bool for one state code). Codes that follow each other are tested as a range, two
    comparisons of the int8 codes (a tenth of the time of indexing a table by a million
    codes, which casts them to indices first); others are looked up in a table."""

    def __init__(self, codes) -> None:
        codes = sorted(set(codes))
        self.table = np.zeros(len(STATUS_NAMES), dtype=bool)
        self.table[codes] = True
        self.lo, self.hi = codes[0], codes[-1]
        self.is_range = self.hi - self.lo + 1 == len(codes)

    def __getitem__(self, status):
        if np.ndim(status) == 0:
            return bool(self.table[status])
        status = np.asarray(status)
        if not self.is_range:
            return self.table.take(status)
        mask = status >= self.lo
        mask &= status <= self.hi
        return mask


def status_table(codes) -> StatusSet:
    """`status_table(codes)[p.status]` is the mask of persons in one of `codes`, one pass
    instead of the sort that `np.isin` does."""
    return StatusSet(codes)


IS_NONFARM = status_table(NONFARM)
IS_WORKING = status_table(NONFARM + (FARMER,))  # in the labour force: non-farm or farming
IS_IN_SCHOOL_AGE = status_table((CHILD, STUDENT))  # children and students

PERSON_COLUMNS: dict[str, tuple[type, object]] = {
    "pid": (np.int32, -1),
    "age": (np.int16, 0),
    "female": (np.bool_, False),
    "edu": (np.int8, 0),
    "skill": (np.float64, 1.0),
    "hh": (np.int32, -1),
    "mother": (np.int32, -1),  # pid of the mother, -1 if not in the model
    "hukou_urban": (np.bool_, False),
    "hukou_place": (np.int32, -1),
    "residence": (np.int32, -1),
    "workplace": (np.int32, -1),  # place of non-farm work, -1 for none
    "status": (np.int8, CHILD),
    "years_here": (np.int16, 0),
    "must_choose": (np.bool_, False),  # new labour-market entrants choose at the next sub-step
    "wage_income": (np.float64, 0.0),  # earnings accumulated over the year's sub-steps
    "farm_income": (np.float64, 0.0),
    "income": (np.float64, 0.0),  # disposable income of the year (after remittances)
    "income_pc": (np.float64, 0.0),  # per-capita income of the co-resident household
}


class Persons:
    """Columns of equal length, one row per simulated person (standing for `scale` persons).

    Each column is a view of the used rows of a buffer with room to spare (`reserve`:
    spare rows take no memory until written): births and arrivals are written after the
    last row (the buffers double, with a copy, only when full), and deaths close the gaps
    within the buffers, handing the rows left free back. Assigning a column
    (`persons.age = ...`) writes into its buffer.
    """

    def __init__(self, columns: dict[str, np.ndarray], next_pid: int) -> None:
        keep_freed_memory()
        object.__setattr__(self, "_store", {})  # name -> buffer, the used rows first
        object.__setattr__(self, "_cols", {})  # name -> view of the used rows
        object.__setattr__(self, "_spec", dict(PERSON_COLUMNS))  # name -> (dtype, fill)
        n = len(columns["pid"])
        room = spare_room(n)
        for name, (dtype, _) in PERSON_COLUMNS.items():
            # Copied: two columns built from one array must never share memory.
            self._store[name] = reserve(room, dtype)
            self._store[name][:n] = columns[name]
        self._use_rows(n)
        object.__setattr__(self, "next_pid", next_pid)
        object.__setattr__(self, "_pid_rows", None)  # pid -> row, built when first needed
        object.__setattr__(self, "_pid_table", np.zeros(0, dtype=np.int32))  # its buffer

    def _use_rows(self, n: int) -> None:
        object.__setattr__(self, "_n", n)
        for name, buffer in self._store.items():
            self._cols[name] = buffer[:n]

    def __getstate__(self) -> dict:
        # The used rows only (pickle copies each view's rows); buffers and the pid table
        # are rebuilt.
        state = dict(self.__dict__)
        state["_store"] = None
        state["_pid_rows"] = None
        state["_pid_table"] = np.zeros(0, dtype=np.int32)
        return state

    def __setstate__(self, state: dict) -> None:
        keep_freed_memory()  # a restored model runs in this process too
        state.setdefault("_pid_table", np.zeros(0, dtype=np.int32))
        self.__dict__.update(state)
        object.__setattr__(self, "_store", dict(self._cols))
        self._use_rows(len(self._cols["pid"]))

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("_"):  # not a column; also keeps copy/pickle from recursing
            raise AttributeError(name)
        try:
            return self._cols[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value) -> None:
        if name in self._cols:
            np.copyto(self._cols[name], value, casting="unsafe")
            if name == "pid":
                object.__setattr__(self, "_pid_rows", None)
        else:
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return self._n

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self._cols)

    @property
    def room(self) -> int:
        """Rows the buffers hold, used and spare."""
        return len(self._store["pid"])

    @property
    def nbytes(self) -> int:
        """Bytes of the used rows of every column and of the pid-to-row table: the memory
        the persons hold (spare rows take none, see `reserve`)."""
        table = self._pid_table[: self.next_pid + 1]
        return sum(col.nbytes for col in self._cols.values()) + table.nbytes

    def add_column(self, name: str, dtype, fill) -> None:
        """Let a module keep a person attribute of its own (e.g. pension entitlement)."""
        self._spec[name] = (dtype, fill)
        self._store[name] = reserve(self.room, dtype)
        self._store[name][: self._n] = fill
        self._cols[name] = self._store[name][: self._n]

    def keep(self, mask: np.ndarray) -> None:
        """Keep the rows where `mask` is true, in their order (the others are gone)."""
        rows = np.flatnonzero(mask)  # once for all columns
        m = len(rows)
        for name, col in self._cols.items():
            self._store[name][:m] = col.take(rows)  # a gathered copy, then written in place
            release_rows(self._store[name], m)
        self._use_rows(m)
        object.__setattr__(self, "_pid_rows", None)

    def append(self, new: dict[str, np.ndarray]) -> None:
        """Append rows; columns not given take their fill value. New pids are assigned here."""
        n = len(next(iter(new.values())))
        new = dict(new)
        new["pid"] = self.next_pid + np.arange(n)
        object.__setattr__(self, "next_pid", self.next_pid + n)
        start, end = self._n, self._n + n
        if end > self.room:  # full: a buffer of twice the rows, whose spare rows cost nothing
            room = spare_room(max(end, self.room))
            for name, buffer in self._store.items():
                grown = reserve(room, buffer.dtype)
                grown[:start] = buffer[:start]
                # The old buffer goes now (with its view), not after every column grew.
                self._store[name], self._cols[name] = grown, grown[:start]
        for name, buffer in self._store.items():
            add = new.get(name)
            buffer[start:end] = self._spec[name][1] if add is None else add
        self._use_rows(end)
        object.__setattr__(self, "_pid_rows", None)

    def rows_of(self, pids: np.ndarray) -> np.ndarray:
        """Row index of each pid, -1 where the person is no longer in the model."""
        pids = np.asarray(pids)
        table = self._pid_rows
        if table is None:
            # One slot per pid ever given, -1 for the dead: about 4 bytes per person, in a
            # buffer kept from one rebuild to the next (pids only grow).
            if len(self._pid_table) < self.next_pid + 1:
                object.__setattr__(
                    self, "_pid_table", reserve(spare_room(self.next_pid + 1), np.int32)
                )
            table = self._pid_table[: self.next_pid + 1]
            table[:] = -1
            table[self._cols["pid"]] = np.arange(len(self), dtype=np.int32)
            object.__setattr__(self, "_pid_rows", table)
        # Pids outside 0..next_pid-1 (-1: no mother in the model) look up the last slot,
        # -1: clipped to next_pid, or to -1, which `take` counts from the end.
        return table.take(np.clip(pids, -1, self.next_pid)).astype(np.intp)


class Households:
    """Per-household arrays: the home place and the contracted land (mu). The land module
    adds, at its setup, each contract's end year (`contract_end`) and the land leased out,
    lent, borrowed and left idle this year (`leased_out_mu`, `lent_mu`, `borrowed_mu`,
    `idle_mu`).

    The arrays live in memory of their own (`reserve`), as the person columns do, and
    assigning one of the same length and type writes into it (`households.land_mu = ...`
    copies the values): the land module replaces several every year and farming one every
    sub-step, which in the C library's heap would move them about among the steps'
    temporaries and leave holes behind."""

    def __init__(self, home: np.ndarray, land_mu: np.ndarray) -> None:
        self.home = np.asarray(home, dtype=np.int32)
        self.land_mu = np.asarray(land_mu, dtype=np.float64)

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, np.ndarray) and value.ndim == 1:
            hold(self, name, value)
        else:
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.home)

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays held in memory of their own."""
        arrays = self.__dict__.values()
        return sum(a.nbytes for a in arrays if isinstance(a, np.ndarray) and is_reserved(a))
