"""The typed run report: Failure rows keep hints and never carry URLs' paths or secrets; usage models; old run.json."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from conftest import write_show
from pipeline.config import load_config
from pipeline.errors import AudioError
from pipeline.files import save_report
from pipeline.models import Failure, LLMUsage, RunReport, StageResult, TTSUsage, scrub
from pipeline.notify import notify_problem
from pipeline.run import _totals

SECRET_PATH = "/services/T0AAA/B0BBB/zQ9sEcReTwEbHoOkToKeN"


@pytest.fixture
def failing_webhook() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 that answers every POST with 500."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{SECRET_PATH}"
    server.shutdown()
    server.server_close()


def test_a_webhook_url_never_reaches_run_json(failing_webhook: str, tmp_path: Path) -> None:
    config = load_config(write_show(tmp_path / "show", notify={"webhooks": [{"url": failing_webhook}]}))
    result = notify_problem(config, "delivery failed", "smtp refused")
    assert result.status == "failed" and len(result.failures) == 1
    day = date(2026, 12, 1)
    report = RunReport(date=day, started="2026-12-01T05:00:00Z", stages=[result])  # type: ignore[arg-type]
    written = save_report(config.episodes_dir, report).read_text()
    assert "500" in written and "127.0.0.1" in written  # the cause is still there
    assert "zQ9sEcReTwEbHoOkToKeN" not in written and "/services/" not in written


def test_secrets_are_scrubbed_from_messages_and_hints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFCAST_TEST_API_KEY", "kq7-very-private-value")
    failure = Failure(subject="https://feeds.example.com/ai.xml?token=abc123", kind="fetch",
                      message="401 for https://api.example.com/v1/x?key=1: Incorrect API key provided: "
                              "sk-proj-AbCdEfGhIjKlMnOp; Authorization: Bearer eyJhbGciOiJIUzI1NiJ9",
                      hint="echoed kq7-very-private-value; password=hunter22")
    assert failure.subject == "https://feeds.example.com/ai.xml"  # the feed stays named, its query goes
    assert "https://api.example.com/…" in failure.message and "/v1/x" not in failure.message
    for leaked in ("sk-proj-AbCdEfGhIjKlMnOp", "eyJhbGciOiJIUzI1NiJ9", "kq7-very-private-value", "hunter22"):
        assert leaked not in failure.message + (failure.hint or "")
    assert "[$BRIEFCAST_TEST_API_KEY]" in (failure.hint or "")
    assert scrub("no secrets here, 40% of 3 items") == "no secrets here, 40% of 3 items"


def test_a_failure_from_an_error_keeps_its_subject_kind_and_hint() -> None:
    exc = AudioError("the TTS backend returned no audio", subject="headlines", hint="try another voice")
    failure = Failure.of(exc, "2026-12-01")
    assert (failure.subject, failure.kind, failure.hint) == ("headlines", exc.kind, "try another voice")
    assert Failure.of(ValueError("boom"), "2026-12-01").subject == "2026-12-01"
    # dict-style reads keep working for code written against the old rows
    assert failure["message"] == failure.get("message") == str(exc)
    assert failure.get("nothing", "x") == "x"


def test_an_old_run_json_reads_into_the_typed_report() -> None:
    old = {"schema_version": 1, "date": "2026-11-30", "started": "2026-11-30T05:00:00Z", "status": "done",
           "stages": [{"stage": "ingest", "status": "partial", "failures": [
               {"subject": "https://a.example/feed", "kind": "http_status", "message": "404"}]}],
           "llm": {"calls": 12, "tokens_in": 900, "flags": 2}, "tts": {}}
    report = RunReport.model_validate_json(json.dumps(old))
    assert report.stages[0].failures[0].kind == "http_status" and report.stages[0].failures[0].hint is None
    assert report.llm == LLMUsage(calls=12, tokens_in=900, flags=2) and report.tts == TTSUsage()


def test_totals_come_from_the_stages_counts() -> None:
    report = RunReport(date=date(2026, 12, 1), started="2026-12-01T05:00:00Z", stages=[  # type: ignore[arg-type]
        StageResult(stage="draft", counts={"llm_calls": 7, "cache_hits": 2, "tokens_in": 100, "tokens_out": 40,
                                           "tokens_cached": 30, "cost_usd": 0.01, "flags": 3}),
        StageResult(stage="audio", counts={"characters": 900, "segments_synthesized": 4, "cache_hits": 1,
                                           "audio_minutes": 1.5}),
    ])
    _totals(report)
    assert report.llm == LLMUsage(calls=7, cache_hits=2, tokens_in=100, tokens_out=40, cost_usd=0.01, flags=3)
    assert report.tts == TTSUsage(characters=900, segments_synthesized=4, cache_hits=1, audio_minutes=1.5)


# -- publish's release failures reach run.json, from a run and from the CLI --------------------------------------


def _auto_show(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A show without review or audio, one drafted episode for DAY, and a corrupt episode.json on another day
    (the release reports it and goes on)."""
    from test_review_workflow import DAY, put
    from test_review_workflow import make_episode as review_episode

    config = load_config(write_show(tmp_path / "auto", review={"required": False}, audio={"enabled": False}))
    put(config, review_episode())
    broken = config.episodes_dir / "2026-03-01"
    broken.mkdir(parents=True)
    (broken / "episode.json").write_text("{not json")
    return config, DAY


def _release_line(config, day: date) -> StageResult | None:  # type: ignore[no-untyped-def]
    report = RunReport.model_validate_json((config.episode_dir(day) / "run.json").read_text())
    return next((line for line in report.stages if line.stage == "release"), None)


def test_a_runs_publish_carries_the_release_failures(tmp_path: Path) -> None:
    from pipeline.run import run_day

    config, day = _auto_show(tmp_path)
    report = run_day(config, day, from_stage="publish", audio=False)
    release = next(line for line in report.stages if line.stage == "release")
    assert release.status == "partial" and [f.subject for f in release.failures] == ["2026-03-01"]
    assert "not a valid episode" in release.failures[0].message
    written = _release_line(config, day)  # the run's own report, as written, still has it
    assert written is not None and written.failures[0].subject == "2026-03-01"


def test_publish_outside_a_run_records_the_release_failures(tmp_path: Path) -> None:
    from pipeline.review import workflow

    config, day = _auto_show(tmp_path)
    workflow.approve(config, day, editor="ana", override_flags=True)
    workflow.publish(config, day, editor="ana")
    line = _release_line(config, day)
    assert line is not None and line.failures[0].subject == "2026-03-01"


def test_a_stages_new_lines_replace_its_old_ones_and_keep_the_others() -> None:
    from pipeline.run import _merge_lines

    old = [StageResult(stage="render"), StageResult(stage="audio"), StageResult(stage="publish"),
           StageResult(stage="release", status="partial", failures=[Failure(message="x")]),
           StageResult(stage="deliver"), StageResult(stage="notify")]
    again = _merge_lines(old, "render", [StageResult(stage="render"), StageResult(stage="newsletter")])
    assert [line.stage for line in again] == ["render", "newsletter", "publish", "release", "deliver", "notify"]
    published = _merge_lines(again, "publish", [StageResult(stage="publish")])  # the release went well this time
    assert [line.stage for line in published] == ["render", "newsletter", "publish", "notify"]
