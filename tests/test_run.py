"""The daily run end to end, in a real subprocess: sample feeds from a loopback server, the loopback
OpenAI-compatible server, real piper and ffmpeg. Then a re-run that spends nothing, kill -9 at several points
followed by a resume, a show that publishes without review, and a day with nothing usable."""

from __future__ import annotations

import json
import re
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from pipeline.config import Config, load_config
from pipeline.samples import maybe_sample_server, sample_config
from pipeline.store import open_store
from tests.conftest import write_show
from tests.fake_openai import FakeOpenAI, Reply

PROJECT = Path(__file__).resolve().parents[1]
DAY = date(2026, 3, 10)
SHORT_SHOW = [  # a short running order keeps the synthesized audio to a minute or two
    {"id": "cold-open", "title": "The day in three lines", "kind": "cold_open", "target_words": 40},
    {"id": "headlines", "title": "Top headlines", "kind": "headlines", "min_stories": 2, "max_stories": 3,
     "target_words": 120},
    {"id": "sign-off", "title": "Sign-off", "kind": "sign_off", "target_words": 20},
]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def world(tmp_path: Path, fake: FakeOpenAI) -> Iterator[Path]:
    """A show whose feeds are the sample world on 127.0.0.1 and whose model is the loopback server."""
    base = sample_config(load_config(write_show(tmp_path / "base")))
    with maybe_sample_server(base, True, DAY) as live:
        sources = [source.model_dump() for source in live.sources if "slow" not in source.url]
        yield write_show(
            tmp_path / "show",
            sources=sources,
            segments=SHORT_SHOW,
            ingest={"allow_private_networks": True, "deadline": 4},
            llm={"backend": "compatible", "base_url": fake.base_url, "model": "fake-model"},
        )


def _briefcast(config: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args, "--config", str(config)], cwd=config.parent,
                          capture_output=True, text=True, timeout=timeout, check=False)


def _events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def _assert_whole_episode(config: Config) -> dict:
    folder = config.episode_dir(DAY)
    episode = json.loads((folder / "episode.json").read_text())
    assert [s["id"] for s in episode["segments"]] == ["cold-open", "headlines", "sign-off"]
    assert all(s["status"] == "drafted" and s["text"] and s["script"] for s in episode["segments"])
    assert re.search(r"\[\d+\]", episode["segments"][1]["text"])  # cited
    for name in ("draft.md", "newsletter.md", "newsletter.html", "newsletter.txt", "script.md", "transcript.vtt"):
        assert (folder / name).stat().st_size > 100, name
    chapters = json.loads((folder / "chapters.json").read_text())
    assert [c["title"] for c in chapters["chapters"]][:1] == ["The day in three lines"]
    mp3 = (folder / "episode.mp3").read_bytes()
    assert mp3[:3] == b"ID3" and len(mp3) == episode["audio"]["bytes"] and episode["audio"]["duration"] > 20
    assert not list(folder.glob(".*.tmp"))
    return episode


def test_run_then_rerun_spends_nothing(world: Path, fake: FakeOpenAI) -> None:
    # One headline states a figure no source has, so the episode has an open flag for the report to count.
    fake.when("This story is one of the top headlines", Reply.json({"sentences": [
        {"text": "The lab said the model has 999 billion parameters.", "sources": [1]}]}))
    done = _briefcast(world, "run", "--date", DAY.isoformat())
    assert done.returncode == 0, done.stderr[-3000:]
    events = _events(done.stdout)  # not a TTY: JSON lines only on stdout
    assert [e["stage"] for e in events if e["event"] == "stage_start"] == [
        "ingest", "curate", "draft", "render", "publish", "notify"]
    assert any(e["event"] == "progress" and e["stage"] == "audio" for e in events)
    config = load_config(world)
    episode = _assert_whole_episode(config)
    assert episode["status"] == "drafted"  # review.required: waits for an editor
    report = json.loads((config.episode_dir(DAY) / "run.json").read_text())
    assert report["status"] == "done"
    stages = {s["stage"]: s for s in report["stages"]}
    assert stages["ingest"]["counts"]["items_new"] >= 150
    assert {f["kind"] for f in stages["ingest"]["failures"]} >= {"parse"}  # the empty sample feed
    assert report["llm"]["calls"] == len(fake.chat_requests) > 0
    tts = report["tts"]
    assert tts["segments_synthesized"] >= 1 and tts["characters"] > 100
    assert tts["segments_synthesized"] + tts.get("cache_hits", 0) == 3
    assert "Run 2026-03-10: done" in done.stderr

    open_flags = sum(1 for s in episode["segments"] if s["status"] == "drafted" for f in s["flags"] if not f["resolved"])
    assert open_flags > 0 and report["llm"]["flags"] == open_flags
    store = open_store(config.state_dir)
    assert {row["episode_date"] for row in store.coverage_before("2100-01-01", "2000-01-01")} == {DAY.isoformat()}
    store.close()
    # scratch folders: one left by a killed run (its pid is gone), one of a live process (this one)
    dead, live = config.state_dir / "mix-999999999-x1", config.state_dir / f"mix-{os.getpid()}-x2"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "segment.wav").write_bytes(b"RIFF")

    calls = len(fake.requests)
    again = _briefcast(world, "run", "--date", DAY.isoformat())
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(fake.requests) == calls, "a re-run with nothing new must not call the model"
    report = json.loads((config.episode_dir(DAY) / "run.json").read_text())
    stages = {s["stage"]: s for s in report["stages"]}
    assert stages["ingest"]["counts"]["feeds_not_modified"] >= 10
    assert stages["draft"]["status"] == "skipped" and stages["render"]["status"] == "skipped"
    assert report.get("tts", {}).get("segments_synthesized", 0) == 0
    assert report["llm"]["flags"] == open_flags  # a cached re-run still counts the open flags
    assert not dead.exists() and live.exists()


def test_editor_edit_in_draft_md_survives_a_rerun(world: Path) -> None:
    assert _briefcast(world, "run", "--date", DAY.isoformat(), "--no-audio").returncode == 0
    config = load_config(world)
    draft = config.episode_dir(DAY) / "draft.md"
    text = draft.read_text()
    marker = "Edited by the desk: this line must survive."
    head, sep, rest = text.partition("\n## [headlines]")
    first_break = rest.index("\n\n")
    draft.write_text(head + sep + rest[:first_break] + "\n\n" + marker + rest[first_break:])
    done = _briefcast(world, "run", "--date", DAY.isoformat(), "--from", "draft", "--no-audio")
    assert done.returncode == 0, done.stderr[-3000:]
    episode = json.loads((config.episode_dir(DAY) / "episode.json").read_text())
    headlines = next(s for s in episode["segments"] if s["id"] == "headlines")
    assert marker in headlines["text"] and headlines["edited_by_human"]
    assert marker in (config.episode_dir(DAY) / "newsletter.md").read_text()


@pytest.mark.parametrize("kill_at", [("stage_start", "draft"), ("progress", "audio"), ("stage_start", "publish")])
def test_kill_9_then_resume(world: Path, kill_at: tuple[str, str]) -> None:
    command = [sys.executable, "-m", "pipeline", "run", "--date", DAY.isoformat(), "--config", str(world)]
    child = subprocess.Popen(command, cwd=world.parent, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             start_new_session=True)
    killed = False
    for line in child.stdout:  # type: ignore[union-attr]
        event = json.loads(line)
        if (event["event"], event.get("stage")) == kill_at:
            os.killpg(child.pid, signal.SIGKILL)  # the whole group: the run and any ffmpeg it started
            killed = True
            break
    child.wait(timeout=60)
    assert killed, f"never reached {kill_at}"
    config = load_config(world)
    folder = config.episode_dir(DAY)
    for path in folder.glob("*.json"):  # whatever is there is whole
        json.loads(path.read_text())
    done = _briefcast(world, "run", "--date", DAY.isoformat())
    assert done.returncode == 0, done.stderr[-3000:]
    assert "stale lock" in done.stderr
    _assert_whole_episode(config)


def test_show_without_review_publishes_from_run(world: Path, tmp_path: Path) -> None:
    config = load_config(world)
    data = {"review": {"required": False}}
    path = write_show(tmp_path / "auto", sources=[s.model_dump() for s in config.sources], segments=SHORT_SHOW,
                      ingest=config.ingest.model_dump(), llm=config.llm.model_dump(), **data)
    done = _briefcast(path, "run", "--date", DAY.isoformat())
    assert done.returncode == 0, done.stderr[-3000:]
    auto = load_config(path)
    episode = json.loads((auto.episode_dir(DAY) / "episode.json").read_text())
    assert episode["status"] == "published"
    feed = etree.parse(str(auto.episodes_dir / "feed.xml"))
    assert len(feed.findall(".//item")) == 1
    assert (auto.episodes_dir / "index.html").exists() and (auto.episodes_dir / "newsletter.xml").exists()


def test_nothing_usable_exits_1_with_the_reason(tmp_path: Path, fake: FakeOpenAI) -> None:
    base = sample_config(load_config(write_show(tmp_path / "base")))
    with maybe_sample_server(base, True, DAY) as live:
        broken = [s.model_dump() for s in live.sources if "broken-empty" in s.url]
        path = write_show(tmp_path / "show", sources=broken, ingest={"allow_private_networks": True},
                          llm={"backend": "compatible", "base_url": fake.base_url})
        done = _briefcast(path, "run", "--date", DAY.isoformat())
    assert done.returncode == 1
    assert "nothing usable" in done.stderr and "no stories" in done.stderr
    report = json.loads((load_config(path).episode_dir(DAY) / "run.json").read_text())
    assert report["status"] == "failed" and report["stages"][0]["failures"][0]["kind"] == "parse"


def test_unknown_stage_is_a_usage_error(world: Path) -> None:
    done = _briefcast(world, "run", "--from", "mastering")
    assert done.returncode == 2 and "not a stage" in done.stderr


def test_an_approved_episode_is_not_recurated_or_redrafted_unless_forced(tmp_path: Path) -> None:
    from pipeline.errors import NothingUsableError
    from pipeline.review import workflow
    from pipeline.run import DayRun
    from test_review_workflow import put
    from test_review_workflow import make_episode as review_episode

    config = load_config(write_show(tmp_path / "show"))
    episode = put(config, review_episode(DAY))
    workflow.approve(config, DAY, editor="ana", override_flags=True)
    store = open_store(config.state_dir)
    try:
        job = DayRun(config, store, DAY, audio=False, forced=set())
        curated, drafted = job.curate(), job.draft()
        assert (curated.status, drafted.status) == ("skipped", "skipped")
        assert "episode is approved" in curated.notes[0] and "--from draft" in drafted.notes[0]
        assert drafted.counts["flags"] == len(episode.open_flags)
        with pytest.raises(NothingUsableError):  # forced: curate really runs (and finds no items in this store)
            DayRun(config, store, DAY, audio=False, forced={"curate"}).curate()
    finally:
        store.close()
