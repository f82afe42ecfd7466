"""Running many shows with an orchestrator (optional: ``pip install ".[dagster]"``).

`dagster_defs` turns a folder of show folders into Dagster definitions: per show, partitioned assets for the
stages `briefcast run` calls (the same `pipeline.run.run_stage`, so the same state, fingerprints and caches),
asset checks as quality gates, an approval sensor for publish, schedules at each show's local time, and the LLM
and TTS settings as resources. `limits` is a machine-wide rate limit for paid model APIs. Nothing here is
imported by the single-show path.
"""
