"""The background worker: simulations run in a separate process, one after the other.

The web server never simulates. It sends a list of runs to one long-lived worker process
and reads back a message per simulated year and one per finished run. A run that raises is
reported with its error; a worker that dies (killed, out of memory, a crash in a native
library) is noticed, replaced and reported; cancelling or reaching the time cap ends the
worker process at once and starts a fresh one, so a stopped run costs nothing afterwards.

The process is started with the spawn method on purpose: ``import mesa`` sets spawn as the
default anyway, and a forked copy of a web server with its threads would be unsafe. Its
imports are done when it starts, not on the first run, so the first run starts quickly.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from countysim.config.schema import Scenario

#: How often (seconds) the server side looks at the worker while waiting for messages.
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class RunOrder:
    """One simulation to run: a checked scenario (with its seed) and the key it is kept under."""

    key: str
    scenario: Scenario


class RunFailed(RuntimeError):
    """A simulation raised an error; ``details`` holds the worker's traceback."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


class RunStopped(RuntimeError):
    """The runs were cancelled or reached the time cap; the worker was restarted."""


class WorkerDied(RuntimeError):
    """The worker process ended without being asked to; a fresh one was started."""


def _serve(orders: mp.Queue, replies: mp.Queue) -> None:
    """The worker process: run each order of each job, reporting years, results and errors."""
    from countysim.runner import simulate

    replies.put(("ready", 0, "", None))
    parent = mp.parent_process()
    while True:
        try:
            job = orders.get(timeout=1.0)
        except queue.Empty:
            # A server killed without a chance to stop us must not leave us waiting forever.
            if parent is not None and not parent.is_alive():
                return
            continue
        if job is None:
            return
        job_id, runs = job
        for order in runs:
            key = order.key

            def year_done(year: int, key: str = key, job_id: int = job_id) -> None:
                replies.put(("year", job_id, key, year))

            try:
                results = simulate(order.scenario, on_year=year_done)
            except Exception as exc:  # reported to the page, the worker carries on
                message = f"{order.scenario.name}: {type(exc).__name__}: {exc}"
                replies.put(("failed", job_id, key, (message, traceback.format_exc())))
                break
            replies.put(("done", job_id, key, results))


class Worker:
    """One worker process and the queues to it; ``run`` is safe to call from any thread
    (calls wait for each other)."""

    def __init__(self) -> None:
        self._context = mp.get_context("spawn")
        self._lock = threading.Lock()
        self._jobs = 0
        self._process: Any = None
        self._start()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _start(self) -> None:
        self._orders = self._context.Queue()
        self._replies = self._context.Queue()
        self._process = self._context.Process(
            target=_serve,
            args=(self._orders, self._replies),
            name="countysim-explore-worker",
            daemon=True,
        )
        self._process.start()

    def _stop_process(self) -> int | None:
        process = self._process
        if process is None:
            return None
        if process.is_alive():
            process.terminate()
            process.join(2.0)
            if process.is_alive():
                process.kill()
        process.join(2.0)
        for q in (self._orders, self._replies):
            q.cancel_join_thread()
            q.close()
        self._process = None
        return process.exitcode

    def restart(self) -> None:
        self._stop_process()
        self._start()

    def close(self) -> None:
        """End the worker process (the server is shutting down)."""
        with self._lock:
            self._stop_process()

    def run(
        self,
        orders: Sequence[RunOrder],
        *,
        on_year: Callable[[str, int], None],
        on_done: Callable[[str, Any], None],
        stop: threading.Event,
        time_cap: float,
    ) -> None:
        """Run ``orders`` in the worker; calls ``on_year(key, year)`` and ``on_done(key,
        results)`` in this thread. Raises ``RunFailed``, ``RunStopped`` or ``WorkerDied``."""
        if not orders:
            return
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self.restart()
            self._jobs += 1
            job = self._jobs
            self._orders.put((job, list(orders)))
            pending = {order.key for order in orders}
            started = time.monotonic()
            while pending:
                if stop.is_set():
                    self.restart()
                    raise RunStopped("run cancelled")
                if time.monotonic() - started > time_cap:
                    self.restart()
                    raise RunStopped(
                        f"run stopped at the time cap of {time_cap:g} s; raise the cap, "
                        "lower the number of replicates or raise simulation.scale"
                    )
                try:
                    kind, job_id, key, payload = self._replies.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    if not self._process.is_alive():
                        code = self._stop_process()
                        self._start()
                        raise WorkerDied(
                            f"the simulation process stopped unexpectedly (exit code {code}); "
                            "a new one has been started"
                        ) from None
                    continue
                if job_id != job:
                    continue
                if kind == "year":
                    on_year(key, payload)
                elif kind == "done":
                    pending.discard(key)
                    on_done(key, payload)
                elif kind == "failed":
                    message, details = payload
                    raise RunFailed(message, details)
