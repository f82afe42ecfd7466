"""Preloaded by the forkserver that a multiprocess Dagster run's steps fork from: builds the definitions named in
``BRIEFCAST_DAGSTER_WARM`` (set by `cached_definitions` in the run's process) once, so no step rebuilds them.

A failure here is left for the step to meet and report: the step builds the definitions itself.
"""

import json
import os

from pipeline.orchestrate import dagster_defs


def _warm() -> None:
    spec = os.environ.get(dagster_defs.WARM_ENV)
    if not spec:
        return
    try:
        folder, max_concurrent, job_name = json.loads(spec)
        dagster_defs.cached_definitions(folder, int(max_concurrent), job_name)
    except Exception:  # noqa: BLE001 - the forkserver must start; the step shows the error with its cause
        return


_warm()
