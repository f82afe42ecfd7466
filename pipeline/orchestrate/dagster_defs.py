"""Many shows on Dagster: a folder of show folders -> `Definitions` (``pip install ".[dagster]"``).

    shows/                      build_definitions("shows") gives, per show folder with a config.yaml:
      tech-daily/config.yaml      assets  <show>/ingest -> curate -> draft -> render -> publish, partitioned by
      eu-policy/config.yaml               the show's date in its time zone
                                  checks  feeds_ok, grounding_flags, loudness, episode_length, podcast_feed
                                  jobs    <show>_daily (schedule at schedule.at, show time), <show>_publish
                                  sensor  briefcast_approvals: an approved episode -> its publish, once

Every asset calls `pipeline.run.run_stage`, the stage functions `briefcast run` calls, with the same state
(``.briefcast/``), fingerprints and caches: a show moves between cron and Dagster without re-doing a day, and a
re-materialization whose inputs did not change spends no model calls and synthesizes nothing. The show's
config.yaml is read again in every step, so an edit applies to the next run without reloading the code location.

Shared resources: ``llm`` (`BriefcastLLM`: one model server for every show, a machine-wide requests-per-minute
limit for paid APIs) and ``tts`` (`BriefcastTTS`: one voice, audio on or off). Draft steps take a slot in a
Dagster concurrency pool: ``briefcast_local_model`` (limit 1: one embedded llama.cpp server per machine) or
``briefcast_llm`` (limit N: N drafts at a time against a shared server); render steps (piper and ffmpeg: CPU) take
one in ``briefcast_render`` (limit: the machine's cores); `apply_pool_limits` sets all three. Later stages go first
when steps queue for slots, so a show that is waiting on the model overlaps another show's CPU work.
"""

import json
import os
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date as Date
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
from lxml import etree

from pipeline.config import Config, LLMSettings, Voice, load_config
from pipeline.errors import BriefcastError, ConfigError
from pipeline.files import load_episode
from pipeline.models import Episode, StageResult
from pipeline.run import run_stage

POOL_LOCAL = "briefcast_local_model"  # the embedded llama.cpp server: one per machine
POOL_SHARED = "briefcast_llm"  # drafts at once against a shared OpenAI-compatible server or a paid API
POOL_RENDER = "briefcast_render"  # renders at once (piper + ffmpeg are CPU-bound): the machine's cores
PARTITION_START = "2025-01-01"
TRUE_PEAK_LIMIT = -1.0  # dBTP: what podcast platforms accept
LOUDNESS_TOLERANCE = 1.0  # LU either side of audio.loudness
WORDS_PER_MINUTE = 141  # the bundled voice's measured pace over speech
LENGTH_RANGE = (0.5, 1.5)  # the episode's length against its segments' target words
SENSOR_DAYS = 30  # how far back the approval sensor looks
STAGE_ORDER = ("ingest", "curate", "draft", "render", "publish")
# imported once by the forkserver every step process forks from; each step would otherwise import its stage,
# Dagster's SQL storage (SQLAlchemy, Alembic: ~0.9 s of CPU) and the OpenAI client (~0.5 s) again
PRELOAD = ("pipeline.orchestrate.dagster_defs", "pipeline.ingest", "pipeline.curate", "pipeline.draft",
           "pipeline.publish", "pipeline.review.workflow", "pipeline.notify", "dagster._core.storage.sqlite_storage",
           "openai", "pipeline.orchestrate.warm")


# -- resources ---------------------------------------------------------------------------------------------------


class BriefcastLLM(dg.ConfigurableResource):
    """The model every show drafts with; a field left unset keeps each show's own ``llm`` setting.

    ``BriefcastLLM(backend="compatible", base_url="http://vllm:8000/v1", model="qwen2.5-7b", shared_slots=8)``
    sends every show to one vLLM server, at most 8 drafts at a time. ``requests_per_minute`` caps the requests
    of every show on this machine together (a paid API's quota); its state is a file in ``limits_dir``.
    """

    backend: str | None = None
    base_url: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    shared_slots: int = 4
    requests_per_minute: float | None = None
    limits_dir: str = ".briefcast-shared"

    def settings(self, config: Config) -> Config:
        """The show's config with this resource's model settings in place (validated like config.yaml)."""
        overrides = {key: value for key, value in (("backend", self.backend), ("base_url", self.base_url),
                                                   ("model", self.model), ("api_key_env", self.api_key_env))
                     if value is not None}
        if not overrides:
            return config
        try:
            llm = LLMSettings.model_validate({**config.llm.model_dump(), **overrides})
        except ValueError as exc:
            raise ConfigError(f"the Dagster llm resource: {exc}", hint="fix BriefcastLLM(...) in defs.py") from None
        return config.model_copy(update={"llm": llm})

    def gate(self) -> Any:
        """A context manager factory for `pipeline.draft.llm.call_gate`, or None when no rate limit is set."""
        if self.requests_per_minute is None:
            return None
        from pipeline.orchestrate.limits import RateLimit

        return RateLimit(Path(self.limits_dir) / "llm-requests.rate", self.requests_per_minute)


class BriefcastTTS(dg.ConfigurableResource):
    """The host voice every show speaks with (unset fields keep the show's own), and whether MP3s are made."""

    backend: str | None = None
    voice: str | None = None
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    audio: bool = True

    def settings(self, config: Config) -> Config:
        host = {key: value for key, value in (("backend", self.backend), ("voice", self.voice),
                                              ("model", self.model)) if value is not None}
        tts = {key: value for key, value in (("base_url", self.base_url), ("api_key_env", self.api_key_env))
               if value is not None}
        if not self.audio:  # audio off: no MP3, and the render fingerprint says so
            config = config.model_copy(update={"audio": config.audio.model_copy(update={"enabled": False})})
        if not host and not tts:
            return config
        try:
            voice = Voice.model_validate({**config.tts.host.model_dump(), **host})
        except ValueError as exc:
            raise ConfigError(f"the Dagster tts resource: {exc}", hint="fix BriefcastTTS(...) in defs.py") from None
        return config.model_copy(update={"tts": config.tts.model_copy(update={**tts, "host": voice})})


# -- the shows ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Show:
    """One show folder: ``name`` is its Dagster key prefix (the folder name in letters, digits and _)."""

    name: str
    config_path: Path
    timezone: str
    at: str
    review_required: bool
    backend: str

    def load(self, context: Any) -> Config:
        """The show's config as it is now, with the run's shared LLM and TTS settings applied."""
        config = load_config(self.config_path)
        config = context.resources.llm.settings(config)
        return context.resources.tts.settings(config)

    @property
    def partitions(self) -> dg.DailyPartitionsDefinition:
        return _partitions(self.timezone)

    def local_date(self, when: datetime) -> Date:
        """The show's date at ``when`` (a schedule tick): a run that starts late still makes that date."""
        return when.astimezone(ZoneInfo(self.timezone)).date()


def _partitions(timezone: str) -> dg.DailyPartitionsDefinition:
    # end_offset=1: today's partition exists from the show's midnight (a morning run makes today's episode)
    return dg.DailyPartitionsDefinition(start_date=PARTITION_START, timezone=timezone, end_offset=1)


def discover_shows(folder: str | Path) -> list[Show]:
    """Every subfolder of ``folder`` holding a config.yaml, validated; errors name the file and the fix."""
    root = Path(folder)
    if not root.is_dir():
        raise ConfigError(f"{root}: no such folder of shows",
                          hint="give a folder with one subfolder per show, each with its config.yaml")
    shows: dict[str, Show] = {}
    for path in sorted(root.glob("*/config.yaml")):
        config = load_config(path)
        name = re.sub(r"[^A-Za-z0-9_]", "_", path.parent.name)
        if name in shows:
            raise ConfigError(f"{path.parent} and {shows[name].config_path.parent} both become the Dagster name "
                              f"{name!r}", hint="rename one of the folders")
        shows[name] = Show(name=name, config_path=path.resolve(), timezone=config.show.timezone,
                           at=config.schedule.at, review_required=config.review.required,
                           backend=config.llm.backend)
    if not shows:
        raise ConfigError(f"{root}: no show folders (subfolders with a config.yaml) found",
                          hint="create one with 'briefcast init <folder>/<show>'")
    return list(shows.values())


# -- quality gates: pure functions of a stage's result and the episode -------------------------------------------


@dataclass
class Gate:
    name: str
    passed: bool
    description: str
    severity: str = "WARN"  # WARN: shown, never blocks; ERROR: blocks what comes after
    metadata: dict[str, Any] | None = None

    def result(self) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(check_name=self.name, passed=self.passed, description=self.description,
                                   severity=dg.AssetCheckSeverity(self.severity), metadata=self.metadata or {})


def feeds_gate(result: StageResult) -> Gate:
    failed = result.failures
    feeds = int(result.counts.get("feeds", 0))
    causes = [f"{f.get('subject')}: {f.get('kind')}: {f.get('message')}" for f in failed]
    if not failed:
        return Gate("feeds_ok", True, f"all {feeds} feeds fetched", metadata={"feeds": feeds})
    return Gate("feeds_ok", False, f"{len(failed)} of {feeds} feeds failed: " + "; ".join(causes[:3]),
                metadata={"feeds": feeds, "failed": len(failed), "causes": "\n".join(causes)})


def flags_gate(episode: Episode) -> Gate:
    open_flags = [(segment.id, flag) for segment in episode.live_segments for flag in segment.flags
                  if not flag.resolved]
    if not open_flags:
        return Gate("grounding_flags", True, "no open grounding flags")
    lines = [f"{segment_id}: {flag.kind}: {flag.message}" for segment_id, flag in open_flags]
    where = sorted({segment_id for segment_id, _ in open_flags})
    return Gate("grounding_flags", False, f"{len(open_flags)} open grounding flag(s) in {', '.join(where)}; "
                "an editor resolves them in the review app", metadata={"open": len(open_flags),
                                                                        "flags": "\n".join(lines[:50])})


def loudness_gate(config: Config, episode: Episode, results: Sequence[StageResult]) -> Gate:
    audio_failed = [f"{f.get('subject')}: {f.get('message')}" for r in results if r.stage == "audio"
                    for f in r.failures]
    if not config.audio.enabled:
        return Gate("loudness", True, "no audio for this show (audio off)", severity="ERROR")
    info = episode.audio
    if info is None or info.loudness_lufs is None or info.true_peak_dbtp is None:
        cause = "; ".join(audio_failed) or "the episode has no measured audio"
        return Gate("loudness", False, f"no episode.mp3 measured: {cause}", severity="ERROR")
    target = config.audio.loudness
    ok_loud = abs(info.loudness_lufs - target) <= LOUDNESS_TOLERANCE
    ok_peak = info.true_peak_dbtp <= TRUE_PEAK_LIMIT
    problems = ([] if ok_loud else [f"{info.loudness_lufs:.1f} LUFS, not {target:.0f} +-{LOUDNESS_TOLERANCE:.0f}"]) + \
               ([] if ok_peak else [f"true peak {info.true_peak_dbtp:.1f} dBTP, above {TRUE_PEAK_LIMIT:.0f}"])
    measured = {"lufs": info.loudness_lufs, "true_peak_dbtp": info.true_peak_dbtp, "target_lufs": target}
    return Gate("loudness", not problems, "; ".join(problems) or
                f"{info.loudness_lufs:.1f} LUFS, true peak {info.true_peak_dbtp:.1f} dBTP", severity="ERROR",
                metadata=measured)


def length_gate(config: Config, episode: Episode) -> Gate:
    words = sum(segment.target_words or 0 for segment in episode.live_segments)
    target = words / WORDS_PER_MINUTE * 60
    if episode.audio is None:
        return Gate("episode_length", config.audio.enabled is False, "no audio to measure"
                    + ("" if not config.audio.enabled else ": the audio stage did not finish"))
    duration = episode.audio.duration
    low, high = target * LENGTH_RANGE[0], target * LENGTH_RANGE[1]
    passed = low <= duration <= high
    text = (f"{duration / 60:.1f} min for a target of {target / 60:.1f} min ({words} words)"
            + ("" if passed else f": outside {low / 60:.1f}-{high / 60:.1f} min"))
    return Gate("episode_length", passed, text, metadata={"seconds": duration, "target_seconds": round(target, 1)})


def feed_gate(config: Config, day: Date) -> Gate:
    """episodes/feed.xml parses, has the channel's required tags, and lists this day's MP3 with its true size."""
    path = config.episodes_dir / "feed.xml"
    mp3 = config.episode_dir(day) / "episode.mp3"
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        return Gate("podcast_feed", False, f"{path} cannot be read as XML: {exc}", severity="ERROR")
    channel = root.find("channel")
    missing = [tag for tag in ("title", "link", "description", "language")
               if channel is None or not (channel.findtext(tag) or "").strip()]
    if channel is None or missing:
        return Gate("podcast_feed", False, f"feed.xml lacks channel {', '.join(missing) or 'element'}",
                    severity="ERROR")
    wanted = f"{config.site.base_url}{day.isoformat()}/episode.mp3"
    enclosures = [item.find("enclosure") for item in channel.findall("item")]
    mine = [e for e in enclosures if e is not None and e.get("url") == wanted]
    if not mine:
        cause = "there is no episode.mp3 (audio off or failed)" if not mp3.exists() else "its item is missing"
        return Gate("podcast_feed", False, f"feed.xml has no item for {day}: {cause}", severity="ERROR",
                    metadata={"items": len(enclosures)})
    length = mine[0].get("length", "")
    if mine[0].get("type") != "audio/mpeg" or not length.isdigit() or int(length) != mp3.stat().st_size:
        return Gate("podcast_feed", False, f"the enclosure for {day} says length {length!r} type "
                    f"{mine[0].get('type')!r}; episode.mp3 is {mp3.stat().st_size} bytes of audio/mpeg",
                    severity="ERROR")
    return Gate("podcast_feed", True, f"feed.xml lists {day} ({int(length):,} bytes) among {len(enclosures)} item(s)",
                severity="ERROR", metadata={"items": len(enclosures)})


# -- the assets --------------------------------------------------------------------------------------------------


def _counts(results: Sequence[StageResult]) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for result in results:
        prefix = "" if len(results) == 1 else f"{result.stage}."
        metadata[f"{prefix}status"] = result.status
        metadata[f"{prefix}seconds"] = round(result.seconds, 3)
        for key, value in result.counts.items():
            metadata[f"{prefix}{key}"] = value
        if result.notes:
            metadata[f"{prefix}notes"] = "\n".join(result.notes)
    return metadata


def _day(context: Any) -> Date:
    return Date.fromisoformat(context.partition_key)


def _run(config: Config, day: Date, stage: str) -> list[StageResult]:
    """`run_stage`, with a briefcast error turned into a Dagster failure that shows its cause and fix."""
    try:
        return run_stage(config, day, stage)
    except BriefcastError as exc:
        hint = f" (fix: {exc.hint})" if exc.hint else ""
        raise dg.Failure(description=f"{stage} failed for {day}: {exc}{hint}",
                         metadata={"kind": exc.kind, "subject": exc.subject or day.isoformat()}) from exc


def failure_cause(event: Any) -> str:
    """A step failure's cause in one line: our Failure's description, else the innermost error's message."""
    data = event.step_failure_data
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description
    error = data.error
    while error is not None and error.cause is not None:
        error = error.cause
    return (error.message.strip().splitlines() or ["unknown error"])[-1] if error is not None else "unknown error"


def _spec(show: Show, stage: str, name: str, description: str, blocking: bool = False) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(name, asset=[show.name, stage], description=description, blocking=blocking,
                             partitions_def=show.partitions)


def show_assets(show: Show) -> list[dg.AssetsDefinition]:
    """The five stage assets of one show, partitioned by its local date."""
    base = {"partitions_def": show.partitions, "group_name": show.name, "key_prefix": [show.name],
            "required_resource_keys": {"llm", "tts"}, "kinds": {"python"}}
    key = dg.AssetKey

    def common(stage: str) -> dict[str, Any]:
        # queued steps start later stages first (depth first): one show's draft, waiting on the model, overlaps
        # the next show's ingest and curate on the CPU instead of every ingest running before any draft
        return {**base, "op_tags": {"dagster/priority": str(STAGE_ORDER.index(stage))}}

    @dg.asset(name="ingest", description="Fetch the show's feeds into its store (pipeline.ingest).",
              check_specs=[_spec(show, "ingest", "feeds_ok", "every feed fetched and parsed")], **common("ingest"))
    def ingest(context: dg.AssetExecutionContext) -> Iterator[Any]:
        config = show.load(context)
        [result] = _run(config, _day(context), "ingest")
        yield dg.MaterializeResult(metadata=_counts([result]), check_results=[feeds_gate(result).result()])

    @dg.asset(name="curate", deps=[key([show.name, "ingest"])],
              description="Cluster the day's items into stories and fill the segments (pipeline.curate).",
              **common("curate"))
    def curate(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        results = _run(show.load(context), _day(context), "curate")
        return dg.MaterializeResult(metadata=_counts(results))

    @dg.asset(name="draft", deps=[key([show.name, "curate"])], pool=POOL_LOCAL if show.backend == "local" else
              POOL_SHARED, description="Draft every segment and script with the LLM (pipeline.draft).",
              check_specs=[_spec(show, "draft", "grounding_flags", "no open grounding flags")], **common("draft"))
    def draft(context: dg.AssetExecutionContext) -> Iterator[Any]:
        config = show.load(context)
        day = _day(context)
        gate = context.resources.llm.gate()
        if gate is not None:
            from pipeline.draft.llm import call_gate

            with call_gate(gate):
                results = _run(config, day, "draft")
        else:
            results = _run(config, day, "draft")
        episode = load_episode(config.episodes_dir, day)
        yield dg.MaterializeResult(metadata=_counts(results), check_results=[flags_gate(episode).result()])

    @dg.asset(name="render", deps=[key([show.name, "draft"])], pool=POOL_RENDER,
              description="Newsletter, script and episode.mp3 (pipeline.publish.render_episode); then notify.",
              check_specs=[_spec(show, "render", "loudness", "integrated loudness and true peak on target", True),
                           _spec(show, "render", "episode_length", "episode length near its target")],
              **common("render"))
    def render(context: dg.AssetExecutionContext) -> Iterator[Any]:
        config = show.load(context)
        day = _day(context)
        results = _run(config, day, "render")
        notice = _run(config, day, "notify")
        episode = load_episode(config.episodes_dir, day)
        yield dg.MaterializeResult(metadata={**_counts(results), "notify": notice[0].status},
                                   check_results=[loudness_gate(config, episode, results).result(),
                                                  length_gate(config, episode).result()])

    @dg.asset(name="publish", deps=[key([show.name, "render"])],
              description="Release an approved episode: feed.xml, archive, newsletter feed (pipeline.review).",
              check_specs=[_spec(show, "publish", "podcast_feed", "feed.xml valid and lists this episode")],
              **common("publish"))
    def publish(context: dg.AssetExecutionContext) -> Iterator[Any]:
        config = show.load(context)
        day = _day(context)
        episode = load_episode(config.episodes_dir, day)
        if config.review.required:
            if episode.status not in ("approved", "published"):
                raise dg.Failure(f"{show.name} {day}: the episode is {episode.status}, not approved; "
                                 f"an editor approves it (review app or 'briefcast approve {day}'), then the "
                                 "approval sensor publishes it")
            from pipeline.review.workflow import publish as release

            approved = next((t.by for t in reversed(episode.history) if t.status == "approved"), "editor")
            try:
                release(config, day, editor=approved)
            except BriefcastError as exc:
                raise dg.Failure(description=f"publish failed for {day}: {exc}") from exc
            results = [StageResult(stage="publish", counts={"published": 1})]
        else:
            results = _run(config, day, "publish")
        yield dg.MaterializeResult(metadata=_counts(results), check_results=[feed_gate(config, day).result()])

    return [ingest, curate, draft, render, publish]


# -- jobs, schedules, the approval sensor ------------------------------------------------------------------------


def _approved_at(episode: Episode) -> datetime | None:
    if episode.status != "approved":
        return None
    return next((t.at for t in reversed(episode.history) if t.status == "approved"), episode.updated)


def approvals_sensor(shows: Sequence[Show], publish_jobs: dict[str, Any]) -> dg.SensorDefinition:
    """Notice approved episodes (review app, CLI, or episode.json merged from a pull request) and run each
    one's publish once: the cursor remembers each approval, and the run key names it."""

    @dg.sensor(name="briefcast_approvals", jobs=list(publish_jobs.values()), minimum_interval_seconds=30,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="An approved episode -> its show's publish for that date, once per approval.")
    def approvals(context: dg.SensorEvaluationContext) -> Any:
        seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        requests = []
        for show in shows:
            config = load_config(show.config_path)
            if not config.episodes_dir.is_dir():
                continue
            days = sorted((p.name for p in config.episodes_dir.glob("????-??-??") if (p / "episode.json").exists()),
                          reverse=True)[:SENSOR_DAYS]
            for name in days:
                try:
                    episode = load_episode(config.episodes_dir, Date.fromisoformat(name))
                except Exception as exc:  # one unreadable episode must not stop the others' publishing
                    context.log.warning(f"{show.name} {name}: episode.json unreadable: {exc}")
                    continue
                at = _approved_at(episode)
                key = f"{show.name}:{name}"
                if at is None or seen.get(key) == at.isoformat() or not show.partitions.has_partition_key(name):
                    continue
                seen[key] = at.isoformat()
                requests.append(dg.RunRequest(run_key=f"{key}:{at.isoformat()}", job_name=publish_jobs[show.name].name,
                                              partition_key=name, tags={"briefcast/show": show.name}))
        if not requests:
            return dg.SkipReason("no newly approved episodes")
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(seen, sort_keys=True))

    return approvals


def daily_schedule(show: Show, job: Any) -> dg.ScheduleDefinition:
    hour, minute = show.at.split(":")

    @dg.schedule(name=f"{show.name}_daily", cron_schedule=f"{int(minute)} {int(hour)} * * *",
                 execution_timezone=show.timezone, job=job, default_status=dg.DefaultScheduleStatus.RUNNING,
                 description=f"every day at {show.at} {show.timezone}")
    def daily(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        day = show.local_date(context.scheduled_execution_time).isoformat()
        return dg.RunRequest(run_key=f"{show.name}:{day}", partition_key=day)

    return daily


def _zone_slug(timezone: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", timezone).lower()


@dataclass
class Newsroom:
    """The shows of one folder and their Dagster objects: ``definitions`` for `dagster dev`, ``assets`` and
    ``resources`` for `dagster.materialize` (tests, CI)."""

    shows: list[Show]
    assets_by_show: dict[str, list[dg.AssetsDefinition]]
    resources: dict[str, Any]
    definitions: dg.Definitions

    def assets(self, *names: str) -> list[dg.AssetsDefinition]:
        chosen = names or tuple(self.assets_by_show)
        return [asset for name in chosen for asset in self.assets_by_show[name]]

    def daily_assets(self, *names: str) -> list[dg.AssetsDefinition]:
        """What a day's run materializes: every stage, but publish only for shows that need no review."""
        review = {show.name for show in self.shows if show.review_required}
        chosen = names or tuple(self.assets_by_show)
        return [asset for name in chosen for asset in self.assets_by_show[name]
                if not (name in review and asset.key.path[-1] == "publish")]


def build_newsroom(folder: str | Path, *, llm: BriefcastLLM | None = None, tts: BriefcastTTS | None = None,
                   max_concurrent: int = 8) -> Newsroom:
    """Everything Dagster needs for the shows in ``folder``; see the module docstring."""
    llm = llm or BriefcastLLM(limits_dir=str(Path(folder).resolve() / ".briefcast-shared"))
    # a shared server named by the resource decides the draft pool, not the shows' own backend
    shows = [replace(show, backend=llm.backend or show.backend) for show in discover_shows(folder)]
    tts = tts or BriefcastTTS()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # partitioned asset checks are a preview feature of Dagster 1.13
        assets_by_show = {show.name: show_assets(show) for show in shows}
    jobs: list[Any] = []
    schedules = []
    publish_jobs = {}
    zones: dict[str, list[Show]] = {}
    for show in shows:
        daily = [dg.AssetKey([show.name, stage]) for stage in ("ingest", "curate", "draft", "render")]
        if not show.review_required:
            daily.append(dg.AssetKey([show.name, "publish"]))  # review.required: false publishes after render
        job = dg.define_asset_job(f"{show.name}_daily", selection=dg.AssetSelection.assets(*daily),
                                  description=f"{show.name}: one day's episode, stage by stage")
        publish_jobs[show.name] = dg.define_asset_job(
            f"{show.name}_publish", selection=dg.AssetSelection.assets(dg.AssetKey([show.name, "publish"])),
            description=f"{show.name}: release an approved episode")
        jobs += [job, publish_jobs[show.name]]
        schedules.append(daily_schedule(show, job))
        zones.setdefault(show.timezone, []).append(show)
    for timezone, members in zones.items():  # one run for many shows needs one partitions definition
        keys = [dg.AssetKey([show.name, stage]) for show in members
                for stage in ("ingest", "curate", "draft", "render", "publish")
                if stage != "publish" or not show.review_required]
        jobs.append(dg.define_asset_job(f"all_shows_{_zone_slug(timezone)}", selection=dg.AssetSelection.assets(*keys),
                                        description=f"every show in {timezone}: one day (backfills, catch-up)"))
    resources = {"llm": llm, "tts": tts}
    assets = [asset for group in assets_by_show.values() for asset in group]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        definitions = dg.Definitions(
            assets=assets, jobs=jobs, schedules=schedules, resources=resources,
            sensors=[approvals_sensor(shows, publish_jobs)],
            executor=dg.multiprocess_executor.configured({
                "max_concurrent": max_concurrent,
                # steps fork from a process that has imported Dagster and briefcast once (a spawned step pays
                # about 1.5 s of CPU for the imports: most of a small step's cost)
                # and, once, the stage modules and these definitions (`cached_definitions`)
                "start_method": {"forkserver": {"preload_modules": list(PRELOAD)}},
            }),
        )
    return Newsroom(shows=shows, assets_by_show=assets_by_show, resources=resources, definitions=definitions)


def build_definitions(folder: str | Path, **options: Any) -> dg.Definitions:
    """`Definitions` for the shows in ``folder`` (what a ``defs.py`` for ``dagster dev`` returns)."""
    return build_newsroom(folder, **options).definitions


def apply_pool_limits(instance: dg.DagsterInstance, llm: BriefcastLLM, render_slots: int | None = None
                      ) -> dict[str, int]:
    """One embedded model server per machine; ``llm.shared_slots`` drafts at once against a shared server;
    ``render_slots`` renders at once (default: the machine's cores)."""
    limits = {POOL_LOCAL: 1, POOL_SHARED: llm.shared_slots, POOL_RENDER: render_slots or os.cpu_count() or 1}
    for pool, limit in limits.items():
        instance.event_log_storage.set_concurrency_slots(pool, limit)
    return limits


@dataclass
class Outcome:
    """One show's day after `materialize_day`: each stage's step and each gate, with causes."""

    show: str
    day: Date
    steps: dict[str, str]  # stage -> "done" / "failed" / "not run"
    failure: str | None  # the first failed step's cause
    gates: list[tuple[str, bool, str, str]]  # (check, passed, severity, description)

    @property
    def ok(self) -> bool:
        return self.failure is None and all(passed or severity == "WARN" for _, passed, severity, _ in self.gates)


def materialize_day(folder: str | Path, day: Date, *, names: Sequence[str] = (), instance: Any = None,
                    **options: Any) -> list[Outcome]:
    """One day of every show (or of ``names``) in this process, one run per time zone (CI, catch-up)."""
    room = build_newsroom(folder, **options)
    if instance is None and os.environ.get("DAGSTER_HOME"):
        instance = dg.DagsterInstance.get()  # the deployment's: the runs show in its UI
    known = {show.name for show in room.shows}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ConfigError(f"no show named {', '.join(unknown)} in {folder}", hint=f"shows: {', '.join(sorted(known))}")
    chosen = [show for show in room.shows if not names or show.name in names]
    outcomes = []
    zones: dict[str, list[Show]] = {}
    for show in chosen:
        zones.setdefault(show.timezone, []).append(show)
    for members in zones.values():
        result = dg.materialize(room.daily_assets(*(s.name for s in members)), partition_key=day.isoformat(),
                                resources=room.resources, instance=instance, raise_on_error=False)
        done = {event.asset_key.path[0] + "/" + event.asset_key.path[1]
                for event in result.get_asset_materialization_events() if event.asset_key}
        failures = {event.step_key: failure_cause(event) for event in result.all_events
                    if event.is_step_failure and event.step_key}
        checks = result.get_asset_check_evaluations()
        for show in members:
            steps, failure = {}, None
            for asset in room.daily_assets(show.name):
                stage = asset.key.path[-1]
                step = f"{show.name}__{stage}"
                steps[stage] = "done" if f"{show.name}/{stage}" in done else "failed" if step in failures else "not run"
                if step in failures and failure is None:
                    failure = f"{stage}: {failures[step]}"
            gates = [(c.check_name, c.passed, c.severity.value, c.description or "") for c in checks
                     if c.asset_key.path[0] == show.name]
            outcomes.append(Outcome(show.name, day, steps, failure, gates))
    return outcomes


WARM_ENV = "BRIEFCAST_DAGSTER_WARM"  # what the forkserver builds before the first step (pipeline.orchestrate.warm)
_BUILT: dict[tuple[str, int], tuple[tuple[tuple[str, int, int], ...], dg.Definitions]] = {}


def _folder_stamp(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Which show folders there are and when each config.yaml last changed: what the definitions are built from."""
    stamps = []
    for path in sorted(root.glob("*/config.yaml")):
        info = path.stat()
        stamps.append((path.parent.name, info.st_mtime_ns, info.st_size))
    return tuple(stamps)


def cached_definitions(folder: str | Path, max_concurrent: int = 8, job_name: str | None = None) -> dg.Definitions:
    """`build_definitions` once per process while the folder's show configs are unchanged.

    Each step of a multiprocess run loads its job again in its own process: built from scratch, that is every
    show's config and assets (about 1 s for 50 shows, for each of their 200 steps). The steps fork from a
    forkserver; this remembers the folder (and ``job_name``) in the environment the forkserver inherits, whose
    preloaded `pipeline.orchestrate.warm` builds them once, so a step finds them built. An added, removed or edited
    config.yaml rebuilds them; a step reads its show's config again anyway (`Show.load`).
    """
    root = Path(folder).resolve()
    stamp = _folder_stamp(root)
    cached = _BUILT.get((str(root), max_concurrent))
    if cached is not None and cached[0] == stamp:
        definitions = cached[1]
    else:
        definitions = build_definitions(root, max_concurrent=max_concurrent)
        _BUILT[(str(root), max_concurrent)] = (stamp, definitions)
    if job_name is not None:
        definitions.resolve_job_def(job_name)  # resolved once, then kept by the Definitions
    os.environ[WARM_ENV] = json.dumps([str(root), max_concurrent, job_name])
    return definitions


def job_for(folder: str, job_name: str, max_concurrent: int = 8) -> dg.JobDefinition:
    """A job loaded again in each step's process (multiprocess executor: `build_reconstructable_job`)."""
    return cached_definitions(folder, max_concurrent, job_name).resolve_job_def(job_name)


__all__ = [
    "BriefcastLLM",
    "BriefcastTTS",
    "Gate",
    "Newsroom",
    "Outcome",
    "materialize_day",
    "POOL_LOCAL",
    "POOL_RENDER",
    "POOL_SHARED",
    "Show",
    "apply_pool_limits",
    "build_definitions",
    "build_newsroom",
    "cached_definitions",
    "discover_shows",
    "failure_cause",
    "feed_gate",
    "feeds_gate",
    "flags_gate",
    "job_for",
    "length_gate",
    "loudness_gate",
]
