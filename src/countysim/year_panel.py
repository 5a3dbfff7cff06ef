"""A panel of yearly blocks (one value per place and year), held compactly.

The recorder adds a block of columns every year (the place panel: residents, wages, land,
services...), held for the whole run: by 2050 about 2.5 MB as they come, 12 bytes a person
of a 200,000-person county. Each year's array is kept in the narrowest type that gives its
values back bit for bit (counts in 16 or 32 bits, floats in 32 bits where they are exactly
32-bit floats, e.g. employment counts), a year's numbers are compressed together (zlib:
many places hold zeros, such as the cities' land), and a text column (names, levels) is
kept only where it differs from the year before's: about 40% of the bytes. `columns()`
turns them back into the types they came in, so it gives what concatenating the years'
arrays gives. They stay in the C library's heap, where they fill gaps that the steps'
large arrays leave (in memory of their own they would add to the peak instead).
"""

from __future__ import annotations

import zlib

import numpy as np

NARROWER = {
    "i": (np.int8, np.int16, np.int32),
    "u": (np.uint8, np.uint16, np.uint32),
    "f": (np.float32,),
}


def narrowest(values: np.ndarray) -> np.ndarray:
    """`values` in the narrowest type of their kind that holds each one exactly (the same
    bits once cast back), or themselves."""
    for dtype in NARROWER.get(values.dtype.kind, ()):
        if np.dtype(dtype).itemsize >= values.dtype.itemsize:
            break
        if values.dtype.kind == "f":
            with np.errstate(over="ignore", invalid="ignore"):  # then not exact: kept wide
                narrow = values.astype(dtype)
            if np.array_equal(narrow.astype(values.dtype).view(np.uint8), values.view(np.uint8)):
                return narrow
        elif not len(values) or (
            np.iinfo(dtype).min <= values.min() and values.max() <= np.iinfo(dtype).max
        ):
            return values.astype(dtype)
    return values


class YearPanel:
    """Blocks of columns appended one year at a time; every block has the same columns."""

    def __init__(self) -> None:
        # One per year: the numeric columns' bytes, compressed, and each column's layout:
        # (stored type, type it came in, shape) or, for text, its array.
        self.blocks: list[tuple[bytes, dict[str, tuple]]] = []

    def __len__(self) -> int:
        return len(self.blocks)

    def append(self, block: dict[str, np.ndarray]) -> None:
        """Add a year's columns (text arrays are kept as given, numbers as bytes)."""
        last = self.blocks[-1][1] if self.blocks else {}
        layout, parts = {}, []
        for name, values in block.items():
            values = np.ascontiguousarray(values)
            if values.dtype == object:
                before = last.get(name, (None,))[0]
                same = before is not None and before.shape == values.shape
                layout[name] = (before if same and (before == values).all() else values,)
            else:
                stored = narrowest(values.ravel())
                layout[name] = (stored.dtype, values.dtype, values.shape)
                parts.append(stored.tobytes())
        if _same_layout(layout, last):
            layout = last  # one layout for the years that share it
        # Level 1: half the bytes at a few microseconds a column (zeros, repeats).
        self.blocks.append((zlib.compress(b"".join(parts), 1), layout))

    def columns(self) -> dict[str, np.ndarray]:
        """Each column over all years (year after year), in the types they came in."""
        years: dict[str, list[np.ndarray]] = {}
        for data, layout in self.blocks:
            raw, offset = zlib.decompress(data), 0
            for name, kept in layout.items():
                if len(kept) == 1:  # text
                    years.setdefault(name, []).append(kept[0])
                    continue
                stored, dtype, shape = kept
                count = int(np.prod(shape))
                values = np.frombuffer(raw, dtype=stored, count=count, offset=offset)
                offset += count * stored.itemsize
                years.setdefault(name, []).append(values.astype(dtype).reshape(shape))
        return {name: np.concatenate(arrays) for name, arrays in years.items()}


def _same_layout(layout: dict[str, tuple], last: dict[str, tuple]) -> bool:
    """Whether two years' layouts are equal (text arrays: the same array kept)."""
    if layout.keys() != last.keys():
        return False
    return all(
        kept is before or (len(kept) == 3 and kept == before)
        for kept, before in zip(layout.values(), last.values(), strict=True)
    )
