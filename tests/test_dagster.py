"""Many shows on Dagster, in process (`dagster.materialize`, no server): the sample feeds from a loopback server,
one loopback OpenAI-compatible server per show, the real voice and ffmpeg. One show's whole graph, the cron path
and a re-materialization spending nothing, three shows at once with one failed partition re-run alone, the
approval sensor publishing exactly once, schedules on local dates, pools, resources and the rate limit."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

dg = pytest.importorskip("dagster", reason='the Dagster integration needs: pip install ".[dagster]"')

from lxml import etree  # noqa: E402

from pipeline.config import load_config  # noqa: E402
from pipeline.errors import ConfigError  # noqa: E402
from pipeline.orchestrate import dagster_defs as dd  # noqa: E402
from pipeline.orchestrate.limits import RateLimit  # noqa: E402
from pipeline.run import STAGES  # noqa: E402
from pipeline.samples import maybe_sample_server, sample_config  # noqa: E402
from tests.conftest import write_show  # noqa: E402
from tests.fake_openai import FakeOpenAI  # noqa: E402

DAY = date(2026, 3, 10)
SHORT_SHOW = [  # a short running order keeps the synthesized audio to about a minute
    {"id": "cold-open", "title": "The day in three lines", "kind": "cold_open", "target_words": 40},
    {"id": "headlines", "title": "Top headlines", "kind": "headlines", "min_stories": 2, "max_stories": 3,
     "target_words": 120},
    {"id": "sign-off", "title": "Sign-off", "kind": "sign_off", "target_words": 20},
]


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[dict[str, Any]]]:
    """The sample world's feeds, served on 127.0.0.1 for the whole module (the slow demo feed left out)."""
    base = sample_config(load_config(write_show(tmp_path_factory.mktemp("base"))))
    with maybe_sample_server(base, True, DAY) as live:
        yield [source.model_dump() for source in live.sources if "slow" not in source.url]


@pytest.fixture
def instance() -> Iterator[Any]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


def _show(folder: Path, name: str, sources: list[dict[str, Any]], fake: FakeOpenAI, **sections: Any) -> Path:
    return write_show(folder / name, sources=sources, segments=SHORT_SHOW,
                      ingest={"allow_private_networks": True, "deadline": 4},
                      llm={"backend": "compatible", "base_url": fake.base_url, "model": "fake-model"}, **sections)


def _checks(result: Any) -> dict[tuple[str, str], Any]:
    return {(c.asset_key.to_user_string(), c.check_name): c for c in result.get_asset_check_evaluations()}


def _materialized(result: Any) -> set[str]:
    return {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}


def test_one_show_whole_graph_then_cron_and_again_spend_nothing(tmp_path: Path, sources: list, instance: Any) -> None:
    from pipeline.run import run_day

    with FakeOpenAI() as fake:
        path = _show(tmp_path / "shows", "tech-daily", sources, fake, review={"required": False})
        room = dd.build_newsroom(tmp_path / "shows")
        result = dg.materialize(room.daily_assets(), partition_key=DAY.isoformat(), resources=room.resources,
                                instance=instance)
        assert result.success
        assert _materialized(result) == {f"tech_daily/{s}" for s in ("ingest", "curate", "draft", "render", "publish")}
        config = load_config(path)
        episode = json.loads((config.episode_dir(DAY) / "episode.json").read_text())
        assert episode["status"] == "published"  # review.required: false publishes right after render
        calls = len(fake.chat_requests)
        assert calls > 0
        report = json.loads((config.episode_dir(DAY) / "run.json").read_text())
        names = [s["stage"] for s in report["stages"]]
        assert [n for n in names if n in STAGES] == [n for n in STAGES if n != "render"]  # render: its parts
        assert names.index("draft") < names.index("audio") < names.index("publish")
        assert report["status"] == "done" and report["llm"]["calls"] == calls
        assert report["tts"]["segments_synthesized"] == 3

        checks = _checks(result)
        feeds = checks[("tech_daily/ingest", "feeds_ok")]
        assert not feeds.passed and "broken-empty.xml" in feeds.description and feeds.partition == DAY.isoformat()
        loud = checks[("tech_daily/render", "loudness")]
        assert loud.passed, loud.description
        assert abs(loud.metadata["lufs"].value - config.audio.loudness) <= 1.0
        assert loud.metadata["true_peak_dbtp"].value <= -1.0
        length = checks[("tech_daily/render", "episode_length")]
        seconds, target = length.metadata["seconds"].value, length.metadata["target_seconds"].value
        assert length.passed == (0.5 * target <= seconds <= 1.5 * target) and seconds > 20
        flags = checks[("tech_daily/draft", "grounding_flags")]
        open_flags = sum(1 for s in episode["segments"] for f in s["flags"] if not f["resolved"])
        assert flags.passed == (open_flags == 0)
        feed = checks[("tech_daily/publish", "podcast_feed")]
        assert feed.passed, feed.description
        enclosure = etree.parse(str(config.episodes_dir / "feed.xml")).find(".//item/enclosure")
        assert int(enclosure.get("length")) == (config.episode_dir(DAY) / "episode.mp3").stat().st_size

        cron = run_day(config, DAY)  # the same show from cron: nothing to redo
        assert cron.status == "done" and len(fake.chat_requests) == calls
        assert {s.stage: s.status for s in cron.stages}["draft"] == "skipped"

        again = dg.materialize(room.daily_assets(), partition_key=DAY.isoformat(), resources=room.resources,
                               instance=instance)
        assert again.success and len(fake.chat_requests) == calls, "a re-materialization must not call the model"
        stages = {s["stage"]: s for s in json.loads((config.episode_dir(DAY) / "run.json").read_text())["stages"]}
        assert stages["draft"]["status"] == "skipped" and stages["render"]["status"] == "skipped"
        assert "audio" not in stages or stages["audio"]["counts"].get("segments_synthesized", 0) == 0


def test_three_shows_at_once_then_the_failed_partition_reruns_alone(tmp_path: Path, sources: list,
                                                                     instance: Any) -> None:
    shows = tmp_path / "shows"
    down = [source for source in sources if "broken-empty" in source["url"]]  # gamma's feeds are down today
    with FakeOpenAI() as a, FakeOpenAI() as b, FakeOpenAI() as c:
        for name, fake in (("alpha", a), ("beta", b)):
            _show(shows, name, sources, fake)
        gamma_path = _show(shows, "gamma", down, c)
        room = dd.build_newsroom(shows, tts=dd.BriefcastTTS(audio=False))
        result = dg.materialize(room.daily_assets(), partition_key=DAY.isoformat(), resources=room.resources,
                                instance=instance, raise_on_error=False)
        assert not result.success
        done = _materialized(result)
        assert {f"{n}/{s}" for n in ("alpha", "beta") for s in ("ingest", "curate", "draft", "render")} <= done
        assert "gamma/ingest" in done and not {"gamma/curate", "gamma/draft", "gamma/render"} & done
        failure = next(e for e in result.all_events if e.is_step_failure)
        assert failure.step_key == "gamma__curate" and "curate failed for 2026-03-10: no stories" in \
            dd.failure_cause(failure)
        feeds = _checks(result)[("gamma/ingest", "feeds_ok")]
        assert not feeds.passed and "1 of 1 feeds failed" in feeds.description and "empty" in feeds.description
        gamma = load_config(gamma_path)
        report = json.loads((gamma.episode_dir(DAY) / "run.json").read_text())
        assert report["status"] == "failed" and "no stories" in report["message"]
        spent = (len(a.chat_requests), len(b.chat_requests))
        assert min(spent) > 0 and not c.chat_requests

        _show(shows, "gamma", sources, c)  # the feeds are back: each step reads config.yaml again
        rerun = dg.materialize(room.daily_assets("gamma"), partition_key=DAY.isoformat(), resources=room.resources,
                               instance=instance)
        assert rerun.success and c.chat_requests
        assert _materialized(rerun) == {f"gamma/{s}" for s in ("ingest", "curate", "draft", "render")}
        assert (len(a.chat_requests), len(b.chat_requests)) == spent, "the other shows were not redone"
        assert json.loads((gamma.episode_dir(DAY) / "episode.json").read_text())["status"] == "drafted"
        assert json.loads((gamma.episode_dir(DAY) / "run.json").read_text())["status"] == "done"
        records = instance.fetch_materializations(dg.AssetKey(["alpha", "draft"]), limit=10).records
        assert len(records) == 1


def test_approval_sensor_publishes_exactly_once(tmp_path: Path, sources: list, instance: Any) -> None:
    from pipeline.review.workflow import approve

    with FakeOpenAI() as fake:
        path = _show(tmp_path / "shows", "desk", sources, fake)  # review.required: true (the default)
        room = dd.build_newsroom(tmp_path / "shows", tts=dd.BriefcastTTS(audio=False))
        sensor = room.definitions.resolve_sensor_def("briefcast_approvals")
        assert dg.materialize(room.daily_assets(), partition_key=DAY.isoformat(), resources=room.resources,
                              instance=instance).success
        config = load_config(path)

        def tick(cursor: str | None) -> Any:
            return sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=cursor,
                                                                definitions=room.definitions))

        assert tick(None).run_requests == []  # drafted: nothing to publish yet
        early = dg.materialize(room.assets("desk"), selection="desk/publish", partition_key=DAY.isoformat(),
                               resources=room.resources, instance=instance, raise_on_error=False)
        assert not early.success  # publish never runs for an unapproved episode, and says why
        assert "not approved" in dd.failure_cause(next(e for e in early.all_events if e.is_step_failure))

        approve(config, DAY, editor="ana", override_flags=True)
        first = tick(None)
        assert [(r.job_name, r.partition_key) for r in first.run_requests] == [("desk_publish", DAY.isoformat())]
        request = first.run_requests[0]
        job = room.definitions.resolve_job_def(request.job_name)
        ran = job.execute_in_process(partition_key=request.partition_key, instance=instance,
                                     tags={**request.tags, "dagster/run_key": request.run_key})
        assert ran.success
        episode = json.loads((config.episode_dir(DAY) / "episode.json").read_text())
        assert episode["status"] == "published"
        assert [t["by"] for t in episode["history"] if t["status"] == "published"] == ["ana"]

        assert tick(first.cursor).run_requests == []  # the next tick: already handled
        assert tick(None).run_requests == []  # even with its cursor lost: published is not approved
        publishes = instance.fetch_materializations(dg.AssetKey(["desk", "publish"]), limit=10).records
        assert len(publishes) == 1


def test_schedules_make_each_show_s_local_date(tmp_path: Path, sources: list) -> None:
    with FakeOpenAI() as fake:
        _show(tmp_path / "shows", "auckland", sources, fake, show={**_show_info(), "timezone": "Pacific/Auckland"},
              schedule={"at": "05:30"})
        _show(tmp_path / "shows", "la", sources, fake, show={**_show_info(), "timezone": "America/Los_Angeles"},
              schedule={"at": "22:15"})
        room = dd.build_newsroom(tmp_path / "shows")
    repo = room.definitions.get_repository_def()
    auckland = room.definitions.resolve_schedule_def("auckland_daily")
    assert auckland.cron_schedule == "30 5 * * *" and auckland.execution_timezone == "Pacific/Auckland"
    # 05:30 on 10 March in Auckland is 16:30 UTC on 9 March: the episode is the 10th's
    at = datetime(2026, 3, 9, 16, 30, tzinfo=UTC)
    tick = auckland.evaluate_tick(dg.build_schedule_context(repository_def=repo, scheduled_execution_time=at))
    assert [r.partition_key for r in tick.run_requests] == ["2026-03-10"]
    la = room.definitions.resolve_schedule_def("la_daily")
    # 22:15 on 9 March in Los Angeles is 05:15 UTC on the 10th: still the 9th's episode, however late it runs
    at = datetime(2026, 3, 10, 5, 15, tzinfo=UTC)
    tick = la.evaluate_tick(dg.build_schedule_context(repository_def=repo, scheduled_execution_time=at))
    assert [r.partition_key for r in tick.run_requests] == ["2026-03-09"]
    assert {j.name for j in room.definitions.resolve_all_job_defs()} >= {
        "auckland_daily", "auckland_publish", "la_daily", "all_shows_pacific_auckland", "all_shows_america_los_angeles"}


def _show_info() -> dict[str, Any]:
    import yaml

    from pipeline.config import PROJECT_DIR

    return yaml.safe_load((PROJECT_DIR / "config.yaml").read_text())["show"]


def test_pools_resources_and_folder_errors(tmp_path: Path, sources: list, instance: Any) -> None:
    with FakeOpenAI() as fake:
        _show(tmp_path / "shows", "remote", sources, fake)
        write_show(tmp_path / "shows" / "local-model", sources=sources, segments=SHORT_SHOW)  # llm.backend: local
        room = dd.build_newsroom(tmp_path / "shows")
    pools = {asset.key.to_user_string(): asset.op.pool for asset in room.assets() if asset.op.pool}
    assert pools == {"remote/draft": dd.POOL_SHARED, "local_model/draft": dd.POOL_LOCAL,
                     "remote/render": dd.POOL_RENDER, "local_model/render": dd.POOL_RENDER}
    shared = dd.build_newsroom(tmp_path / "shows", llm=dd.BriefcastLLM(backend="compatible", base_url=fake.base_url))
    drafts = {asset.op.pool for asset in shared.assets() if asset.key.path[-1] == "draft"}
    assert drafts == {dd.POOL_SHARED}  # one server for all
    assert dd.apply_pool_limits(instance, dd.BriefcastLLM(shared_slots=3), render_slots=2) == {
        dd.POOL_LOCAL: 1, dd.POOL_SHARED: 3, dd.POOL_RENDER: 2}
    assert instance.event_log_storage.get_concurrency_info(dd.POOL_LOCAL).slot_count == 1
    assert instance.event_log_storage.get_concurrency_info(dd.POOL_SHARED).slot_count == 3
    assert instance.event_log_storage.get_concurrency_info(dd.POOL_RENDER).slot_count == 2
    # queued steps go depth first: a show's next stage before another show's first
    priority = {asset.key.path[-1]: int(asset.op.tags["dagster/priority"]) for asset in room.assets("remote")}
    assert sorted(priority, key=priority.__getitem__) == ["ingest", "curate", "draft", "render", "publish"]

    config = load_config(tmp_path / "shows" / "remote" / "config.yaml")
    shared = dd.BriefcastLLM(base_url="http://127.0.0.1:9/v1", model="shared-model").settings(config)
    assert (shared.llm.backend, shared.llm.base_url, shared.llm.model) == ("compatible", "http://127.0.0.1:9/v1",
                                                                           "shared-model")
    assert dd.BriefcastLLM().settings(config) is config  # nothing set: the show's own settings, same fingerprints
    with pytest.raises(ConfigError, match="base_url"):
        dd.BriefcastLLM(backend="compatible", base_url=None).settings(config.model_copy(update={
            "llm": config.llm.model_copy(update={"base_url": None})}))
    quiet = dd.BriefcastTTS(audio=False, voice="joe").settings(config)
    assert quiet.audio.enabled is False and quiet.tts.host.voice == "joe"

    with pytest.raises(ConfigError, match="no show folders"):
        dd.discover_shows(tmp_path)
    write_show(tmp_path / "twins" / "a-b", sources=sources, segments=SHORT_SHOW)
    write_show(tmp_path / "twins" / "a_b", sources=sources, segments=SHORT_SHOW)
    with pytest.raises(ConfigError, match="both become"):
        dd.discover_shows(tmp_path / "twins")


def test_rate_limit_spaces_requests_across_processes_and_gates_llm_calls(tmp_path: Path, show: Any) -> None:
    from pydantic import BaseModel

    from pipeline.draft.llm import call_gate, open_llm
    from pipeline.store import open_store

    class Answer(BaseModel):
        answer: str

    path = tmp_path / "shared" / "llm.rate"
    slots: list[float] = []

    def worker() -> None:  # each its own RateLimit and file handle, as separate processes would have
        limit = RateLimit(path, per_minute=1200)  # one request every 50 ms
        for _ in range(4):
            slots.append(limit.reserve())

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slots.sort()
    gaps = [later - earlier for earlier, later in zip(slots, slots[1:], strict=False)]
    assert len(slots) == 12 and min(gaps) >= 0.05 - 1e-6

    entered = []

    class Counting:
        def __call__(self) -> Any:
            from contextlib import contextmanager

            @contextmanager
            def gate() -> Iterator[None]:
                entered.append(time.monotonic())
                yield

            return gate()

    with FakeOpenAI() as fake:
        config = show.model_copy(update={"llm": show.llm.model_copy(update={"backend": "compatible",
                                                                             "base_url": fake.base_url})})
        with call_gate(Counting()), open_llm(config, open_store(config.state_dir)) as llm:
            for n in range(2):
                messages = [{"role": "user", "content": f"Say something, number {n}."}]
                assert llm.structured(messages, Answer, purpose="test").value.answer
        assert len(entered) == len(fake.chat_requests) == 2


def test_briefcast_dagster_command_lists_and_runs_a_day(tmp_path: Path, sources: list) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    runner = CliRunner()
    with FakeOpenAI() as fake:
        _show(tmp_path / "shows", "night-desk", sources, fake, audio={"enabled": False}, schedule={"at": "04:45"})
        listed = runner.invoke(app, ["dagster", str(tmp_path / "shows")])
        assert listed.exit_code == 0, listed.output
        assert "night_desk" in listed.output and "04:45" in listed.output and dd.POOL_SHARED in listed.output
        ran = runner.invoke(app, ["dagster", str(tmp_path / "shows"), "--date", DAY.isoformat()])
        assert ran.exit_code == 0, ran.output
        assert "night_desk" in ran.output and "feeds_ok" in ran.output and fake.chat_requests
        unknown = runner.invoke(app, ["dagster", str(tmp_path / "shows"), "--date", DAY.isoformat(), "--show", "x"])
        assert unknown.exit_code == 2 and "no show named x" in unknown.output
    missing = runner.invoke(app, ["dagster", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "no such folder of shows" in missing.output


def test_the_single_show_path_never_imports_dagster() -> None:
    import subprocess
    import sys

    code = ("import sys, pipeline.cli, pipeline.run, pipeline.draft, pipeline.publish, pipeline.review.workflow; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'dagster'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_step_processes_find_the_definitions_built_until_a_config_changes(tmp_path: Path, sources: list,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import subprocess
    import sys

    monkeypatch.setenv(dd.WARM_ENV, "")  # restored after the test: cached_definitions sets it
    shows = tmp_path / "shows"
    with FakeOpenAI() as fake:
        path = _show(shows, "one", sources, fake)
        first = dd.job_for(str(shows), "one_daily")
        assert dd.job_for(str(shows), "one_daily") is first  # a second step in this process: nothing rebuilt
        spec = os.environ[dd.WARM_ENV]
        assert json.loads(spec) == [str(shows.resolve()), 8, "one_daily"]
        _show(shows, "two", sources, fake)  # a show added: rebuilt, with it
        assert dd.job_for(str(shows), "two_daily") and dd.job_for(str(shows), "one_daily") is not first
        again = dd.job_for(str(shows), "one_daily")
        path.write_text(path.read_text(encoding="utf-8").replace("fake-model", "other-model"), encoding="utf-8")
        assert dd.job_for(str(shows), "one_daily") is not again  # a config edited: rebuilt

    # what the forkserver does before the first step: import PRELOAD, whose last module builds the spec's job
    code = ("import pipeline.orchestrate.warm; from pipeline.orchestrate import dagster_defs as dd; "
            "[(stamp, defs)] = dd._BUILT.values(); print(len(stamp), defs.resolve_job_def('one_daily').name)")
    done = subprocess.run([sys.executable, "-c", f"import {', '.join(dd.PRELOAD)}; {code}"], capture_output=True,
                          text=True, check=True, env={**os.environ, dd.WARM_ENV: spec})
    assert done.stdout.split() == ["2", "one_daily"]
    broken = subprocess.run([sys.executable, "-c", "import pipeline.orchestrate.warm"], capture_output=True,
                            text=True, check=False, env={**os.environ, dd.WARM_ENV: "[1, 2"})
    assert broken.returncode == 0  # a bad spec must not stop the forkserver: the step builds (and reports) itself


def test_deploy_defs_py_loads_the_shows_folder(tmp_path: Path, sources: list, monkeypatch: pytest.MonkeyPatch) -> None:
    import runpy

    from pipeline.config import PROJECT_DIR

    with FakeOpenAI() as fake:
        _show(tmp_path / "shows", "morning", sources, fake)
    monkeypatch.setenv("BRIEFCAST_SHOWS", str(tmp_path / "shows"))
    monkeypatch.setenv(dd.WARM_ENV, "")
    defs = runpy.run_path(str(PROJECT_DIR / "deploy" / "dagster" / "defs.py"))["defs"]
    assert isinstance(defs, dg.Definitions)
    assert defs.resolve_job_def("morning_daily") and defs.resolve_sensor_def("briefcast_approvals")
