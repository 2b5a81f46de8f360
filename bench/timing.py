"""Timing shared by the benchmarks that compare our code with a reference in one process."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def timed(functions: dict[str, Callable[[], object]], repeat: int) -> list[dict[str, float]]:
    """CPU seconds of each function, ``repeat`` rounds; within a round the functions run one after another.

    Process CPU time, not wall time: on a shared machine, waiting for a core is not our cost.
    Interleaving puts every contender under the same conditions in each round. The garbage
    collector is paused inside timed regions, as ``timeit`` does.
    """
    rounds = []
    for _ in range(repeat):
        times = {}
        for name, function in functions.items():
            gc.collect()
            gc.disable()
            try:
                start = time.process_time()
                function()
                times[name] = time.process_time() - start
            finally:
                gc.enable()
        rounds.append(times)
    return rounds
