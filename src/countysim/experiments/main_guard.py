"""Whether worker processes may be started from the script that is calling us.

Worker processes are started with ``spawn`` (``import mesa`` makes it the default, and fork
is unsafe with threads). A spawned worker imports the script that started it again, so a
script that calls ``countysim.run(..., replicates=4)`` or ``countysim.compare`` at its top
level, without an ``if __name__ == "__main__":`` guard, would start the runs again inside
every worker and fail. The Python API asks ``unguarded_main_call`` first and, if the call
comes from unguarded top-level code, runs everything in this process instead: the results
are the same (seeds do not depend on the number of workers), only slower.
"""

from __future__ import annotations

import ast
import sys
import warnings
from functools import lru_cache
from types import FrameType


def unguarded_main_call() -> bool:
    """Whether the current call comes from top-level code of a main script file that is not
    inside an ``if __name__ == "__main__":`` block."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or not path:
        return False  # an interactive session or notebook: spawn does not re-run it
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_globals is vars(main) and frame.f_code.co_name == "<module>":
            return not _inside_main_guard(path, frame.f_lineno)
        frame = frame.f_back
    return False  # e.g. from another thread: no top-level code of the script is waiting


def serial_unless_guarded(workers: int | None, what: str) -> int | None:
    """``workers``, or 1 (with a warning) when the call comes from an unguarded script."""
    if workers == 1 or not unguarded_main_call():
        return workers
    warnings.warn(
        f"{what} runs in this process, one run after the other: the calling script has no "
        '`if __name__ == "__main__":` guard, which worker processes need (they import the '
        "script again). Put the call under such a guard to run in parallel.",
        RuntimeWarning,
        stacklevel=3,
    )
    return 1


@lru_cache(maxsize=8)
def _guarded_lines(path: str) -> tuple[tuple[int, int], ...]:
    """Line ranges of the ``if __name__ == "__main__":`` blocks of a script."""
    try:
        with open(path, encoding="utf-8") as stream:
            tree = ast.parse(stream.read(), filename=path)
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return ()
    return tuple(
        (node.lineno, node.end_lineno or node.lineno)
        for node in tree.body
        if isinstance(node, ast.If) and _is_main_test(node.test)
    )


def _inside_main_guard(path: str, line: int) -> bool:
    return any(first <= line <= last for first, last in _guarded_lines(path))


def _is_main_test(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = {ast.dump(test.left), ast.dump(test.comparators[0])}
    return sides == {ast.dump(ast.Name("__name__", ast.Load())), ast.dump(ast.Constant("__main__"))}
