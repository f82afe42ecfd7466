"""A newsroom's Dagster code location: every show folder under $BRIEFCAST_SHOWS (default ./shows).

    pip install ".[dagster]" dagster-webserver
    BRIEFCAST_SHOWS=/srv/shows dagster dev -f deploy/dagster/defs.py     # UI + daemon (schedules, sensor)

Each subfolder with a config.yaml is a show: assets <show>/ingest, curate, draft, render, publish partitioned by
the show's local date, asset checks as quality gates, <show>_daily on a schedule at the show's schedule.at, and the
briefcast_approvals sensor that publishes an approved episode once. See docs/SCALE.md.

Share one model server and one voice among the shows by passing resources, e.g.:

    from pipeline.orchestrate.dagster_defs import BriefcastLLM, build_definitions
    defs = build_definitions(SHOWS, llm=BriefcastLLM(backend="compatible", base_url="http://vllm:8000/v1",
                                                     model="qwen2.5-7b-instruct", shared_slots=8))

Pool limits (one embedded model per machine, N drafts against a shared server) live in the Dagster instance:
    dagster instance concurrency set briefcast_local_model 1
    dagster instance concurrency set briefcast_llm 8
"""

import os

from pipeline.orchestrate.dagster_defs import cached_definitions

SHOWS = os.environ.get("BRIEFCAST_SHOWS", "shows")

# every step process of a run loads this file again: cached_definitions builds the shows' definitions once in the
# forkserver the steps fork from (build_definitions(SHOWS, llm=...) when passing resources: built in each step)
defs = cached_definitions(SHOWS)
