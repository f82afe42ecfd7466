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
