"""The stages one by one through the CLI, as an orchestrator other than `briefcast run` would call them."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pipeline.cli import app


def test_ingest_then_curate_from_the_command_line(show) -> None:
    runner = CliRunner()
    ingested = runner.invoke(app, ["ingest", "--sample", "--config", str(show.path)])
    assert ingested.exit_code == 0, ingested.output
    assert "ingest" in ingested.output and "problem(s)" in ingested.output  # the broken sample feeds, with causes
    today = show.today().isoformat()
    curated = runner.invoke(app, ["curate", "--sample", "--date", today, "--config", str(show.path)],
                            env={"COLUMNS": "200"})
    assert curated.exit_code == 0, curated.output
    assert f"Rundown for {today}" in curated.output and "headlines" in curated.output
    rundown = json.loads((show.episode_dir(show.today()) / "rundown.json").read_text())
    assert rundown["segments"]["headlines"] and rundown["stories"][0]["score_terms"]
    status = runner.invoke(app, ["status", "--config", str(show.path)], env={"COLUMNS": "200"})
    assert status.exit_code == 0 and "curated" in status.output


def test_curate_an_empty_day_says_so(show) -> None:
    result = CliRunner().invoke(app, ["curate", "--date", "2020-01-01", "--config", str(show.path)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "0 items -> 0 stories" in result.output


def test_sample_day_is_read_as_of_its_evening(show) -> None:
    """A morning demo run must not take the sample day's later items for future dates and clamp them."""
    from pipeline.run import DayRun
    from pipeline.samples import maybe_sample_server, sample_config
    from pipeline.store import open_store

    today = show.today()
    store = open_store(show.state_dir)
    with maybe_sample_server(sample_config(show), True, today) as live:
        result = DayRun(live, store, today, audio=False, forced=set(), sample=True).ingest()
    assert result.counts["items_new"] >= 150
    assert result.counts.get("dates_fixed", 0) <= 3  # only the sample's own missing and unparseable dates
