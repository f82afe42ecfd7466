"""The daily run: ingest -> curate -> draft -> render -> publish -> notify, resumable and idempotent per date.

Each stage persists its output before the next starts. ``.briefcast/runs/<date>.json`` remembers, per stage, a
fingerprint of the inputs it last finished with; a re-run skips a stage whose inputs did not change and whose
outputs are on disk, and the caches (LLM answers, TTS audio) make a re-done stage cheap. ``--from STAGE`` forces
that stage and the ones after it. A kill -9 at any point loses nothing: every file is written atomically and a
stage is recorded as finished only after its outputs are in place, so the next run re-does exactly that stage.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from datetime import date as Date
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from pipeline import progress
from pipeline.config import Config
from pipeline.errors import BriefcastError, ConfigError, LockedError, NothingUsableError
from pipeline.files import (
    load_episode,
    load_rundown,
    pid_alive,
    save_report,
    sweep_scratch,
    sweep_temp_files,
    write_json,
)
from pipeline.models import Failure, LLMUsage, RunReport, StageResult, TTSUsage
from pipeline.store import Store, open_store

STAGES = ["ingest", "curate", "draft", "render", "publish", "notify"]
_PUBLISH_LINES = {"release", "deliver"}  # the publish stage's own lines in run.json (every other sub-stage is render's)
AUTO_EDITOR = "briefcast (auto)"


# -- the lock -------------------------------------------------------------------------------------------------


@contextmanager
def run_lock(config: Config, wait: float = 0.0) -> Iterator[str | None]:
    """One run per show at a time. The kernel drops the lock when its holder dies, even by kill -9; the pid left
    in the file tells us a previous run was killed, which we say (yielded as a note). ``wait``: seconds to wait
    for another holder (an orchestrator running two dates of one show) before giving up."""
    path = config.state_dir / "run.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 (held for the whole run)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() < deadline:
                    time.sleep(0.2)
                    continue
                handle.seek(0)
                holder = handle.read().strip() or "unknown"
                raise LockedError(
                    "another run of this show is in progress", subject=f"pid {holder}",
                    hint=f"wait for it to finish; the lock is {path}",
                ) from None
        handle.seek(0)
        previous = handle.read().strip()
        note = None
        if previous.isdigit() and int(previous) != os.getpid() and not pid_alive(int(previous)):
            note = f"cleared a stale lock left by run pid {previous} (it was killed); resuming"
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield note
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


# -- resume state -----------------------------------------------------------------------------------------------


def _state_path(config: Config, day: Date) -> Path:
    return config.state_dir / "runs" / f"{day.isoformat()}.json"


def _load_state(config: Config, day: Date) -> dict[str, Any]:
    try:
        return json.loads(_state_path(config, day).read_text())
    except (OSError, ValueError):
        return {}


# -- progress on the terminal or as JSON lines ------------------------------------------------------------------


class Events:
    """Stage start/end and progress: Rich bars on a terminal, JSON lines otherwise (cron, CI, tests)."""

    def __init__(self, console: Console | None) -> None:
        self.console = console or Console()
        self.tty = self.console.is_terminal
        self.bars: Progress | None = None
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Events:
        if self.tty:
            self.bars = Progress(
                TextColumn("{task.fields[stage]:<8}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[what]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                console=self.console, transient=False,
            )
            self.bars.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bars is not None:
            self.bars.__exit__(*exc)

    def emit(self, event: str, **fields: Any) -> None:
        if not self.tty:
            line = {"ts": datetime.now(UTC).isoformat(timespec="seconds"), "event": event, **fields}
            print(json.dumps(line, default=str), flush=True)

    def start(self, stage: str) -> None:
        self.emit("stage_start", stage=stage)
        if self.bars is not None:
            self.tasks[stage] = self.bars.add_task(stage, total=None, stage=stage, what="")

    def advance(self, stage: str, done: int, total: int, what: str) -> None:
        self.emit("progress", stage=stage, done=done, total=total, what=what)
        if self.bars is not None and self.tasks:
            # a sub-stage (audio inside render) moves the bar of the stage that is running
            task = self.tasks.get(stage, list(self.tasks.values())[-1])
            self.bars.update(task, completed=done, total=total, what=f"{stage}: {what}"[:40])

    def end(self, result: StageResult) -> None:
        self.emit("stage_end", stage=result.stage, status=result.status, seconds=round(result.seconds, 2),
                  counts=result.counts, failures=len(result.failures))
        if self.bars is not None and result.stage in self.tasks:
            task = self.tasks[result.stage]
            total = self.bars.tasks[task].total or 1
            self.bars.update(task, completed=total, total=total, what=result.status)


# -- the stages -------------------------------------------------------------------------------------------------


class DayRun:
    """One run of one date: holds what the stages share and decides what to skip."""

    def __init__(self, config: Config, store: Store, day: Date, *, audio: bool, forced: set[str],
                 sample: bool = False) -> None:
        self.sample = sample
        self.config = config
        self.store = store
        self.day = day
        self.audio = audio
        self.forced = forced
        self.state = _load_state(config, day)
        self.drafted_now = False
        self._edits_taken = False

    def _done_before(self, stage: str, fingerprint: str) -> bool:
        entry = self.state.get(stage) or {}
        return stage not in self.forced and entry.get("fingerprint") == fingerprint

    def _finish(self, stage: str, fingerprint: str) -> None:
        self.state[stage] = {"fingerprint": fingerprint, "finished": datetime.now(UTC).isoformat()}
        write_json(_state_path(self.config, self.day), self.state)

    def _take_in_edits(self) -> None:
        """Take in edits an editor saved to draft.md (they are never lost), once per run, before a stage reads the
        episode to decide or re-writes draft.md. The run is an explicit sync; a status check only reads."""
        from pipeline.review.workflow import sync_draft

        if self._edits_taken or not (self.config.episode_dir(self.day) / "episode.json").exists():
            return
        self._edits_taken = True
        sync_draft(self.config, self.day)

    def _episode_status(self) -> str | None:
        """The episode's status as stored (reads only)."""
        path = self.config.episode_dir(self.day) / "episode.json"
        if not path.exists():
            return None
        return load_episode(self.config.episodes_dir, self.day).status

    def _approved_and_kept(self, stage: str) -> str | None:
        """The episode's status when it is approved or published and ``stage`` is not forced: an approved episode is
        not re-curated or redrafted by a run (draft.md's edits are taken in first)."""
        self._take_in_edits()
        status = self._episode_status()
        return status if status in ("approved", "published") and stage not in self.forced else None

    def ingest(self) -> StageResult:
        from pipeline.ingest import ingest

        if self.sample:
            # The sample world is shifted to end with the episode's day: read it as of that evening, so its
            # later items are not taken for future dates (and clamped) when the demo runs in the morning.
            tz = ZoneInfo(self.config.show.timezone)
            evening = datetime.combine(self.day, dtime(23, 59), tz)
            return ingest(self.config, self.store, now=max(evening, datetime.now(UTC)))
        return ingest(self.config, self.store)

    def curate(self) -> StageResult:
        from pipeline.curate import curate

        status = self._approved_and_kept("curate")
        if status:
            return StageResult(stage="curate", status="skipped",
                               notes=[f"episode is {status}: the rundown is kept (use --from curate to redo it)"])
        rundown = curate(self.config, self.store, self.day)
        if not rundown.stories:
            reason = "; ".join(rundown.notes) or "no items in the show's window"
            raise NothingUsableError(f"no stories for {self.day}: {reason}",
                                     hint="check the feeds in the ingest table above, or the date")
        counts = {"items": rundown.item_count, "stories": len(rundown.stories),
                  "multi_source": sum(1 for s in rundown.stories if len(s.outlets) > 1),
                  "segments": len(rundown.segments),
                  "follow_ups": sum(1 for s in rundown.stories if s.follow_up_of)}
        return StageResult(stage="curate", counts=counts, notes=list(rundown.notes))

    def _open_flags(self) -> dict[str, float]:
        """A skipped draft still reports the episode's open flags (run.json's totals read them)."""
        return {"flags": len(load_episode(self.config.episodes_dir, self.day).open_flags)}

    def draft(self) -> StageResult:
        from pipeline.curate import record_coverage
        from pipeline.draft import draft, draft_fingerprint

        status = self._approved_and_kept("draft")
        if status:
            return StageResult(stage="draft", status="skipped", counts=self._open_flags(),
                               notes=[f"episode is {status}: not redrafted (use --from draft to force)"])
        fingerprint = draft_fingerprint(self.config, load_rundown(self.config.episodes_dir, self.day))
        episode_file = self.config.episode_dir(self.day) / "episode.json"
        if episode_file.exists() and self._done_before("draft", fingerprint):
            return StageResult(stage="draft", status="skipped", counts=self._open_flags(),
                               notes=["rundown unchanged since the last draft"])
        result = draft(self.config, self.store, self.day)
        # draft() saves the episode even when every segment failed: judge by what it left live, and do not record
        # the stage as finished, so the next run (after an outage) drafts again
        if result.status == "failed":
            causes = "; ".join(f"{f.get('subject')}: {f.get('message')}" for f in result.failures[:3])
            raise NothingUsableError(f"no segment could be drafted for {self.day}: {causes or 'unknown cause'}")
        self.drafted_now = True
        record_coverage(self.config, self.store, self.day)  # the next days' memory: what this episode covers
        self._finish("draft", fingerprint)
        return result

    def render(self) -> list[StageResult]:
        from pipeline.publish import render_episode, render_fingerprint

        self._take_in_edits()
        episode = load_episode(self.config.episodes_dir, self.day)
        audio = self.audio and self.config.audio.enabled
        fingerprint = render_fingerprint(self.config, episode, audio=audio)
        folder = self.config.episode_dir(self.day)
        outputs = [folder / "newsletter.html"] + ([folder / "episode.mp3"] if audio else [])
        if all(path.exists() for path in outputs) and self._done_before("render", fingerprint):
            return [StageResult(stage="render", status="skipped", notes=["episode unchanged since the last render"])]
        results = render_episode(self.config, self.store, self.day, audio=audio)
        if all(result.status != "failed" for result in results):
            self._finish("render", fingerprint)
        return results

    def publish(self) -> list[StageResult]:
        from pipeline.review.workflow import approve, publish

        if self.config.review.required:
            return [StageResult(stage="publish", status="skipped",
                                notes=["waiting for an editor: briefcast review, then briefcast approve/publish"])]
        episode = load_episode(self.config.episodes_dir, self.day)
        if episode.status == "published" and "publish" not in self.forced:
            skipped = StageResult(stage="publish", status="skipped", notes=["already published"])
            if not self.config.deliver:
                return [skipped]
            from pipeline.deliver import deliver

            return [skipped, deliver(self.config, self.day, store=self.store)]  # resumes what failed, repeats nothing
        if episode.status != "approved":
            approve(self.config, self.day, editor=AUTO_EDITOR, override_flags=True,
                    note="review.required is false: released without an editor")
        released: list[StageResult] = []  # the release's line when it has failures: this report carries it
        publish(self.config, self.day, editor=AUTO_EDITOR, report=released)  # delivers to the deliver: targets too
        results = [StageResult(stage="publish", counts={"published": 1}), *released]
        if self.config.deliver:
            from pipeline.deliver import last_delivery

            delivered = last_delivery(self.config, self.day)
            results += [delivered] if delivered is not None else []
        return results

    def notify(self) -> StageResult:
        from pipeline.notify import notify_ready

        if not self.drafted_now and "notify" not in self.forced:
            return StageResult(stage="notify", status="skipped", notes=["nothing new to tell the editors"])
        return notify_ready(self.config, self.day)


def _timed(stage: str, action: Callable[[], StageResult | list[StageResult]]) -> list[StageResult]:
    started = time.monotonic()
    outcome = action()
    results = outcome if isinstance(outcome, list) else [outcome]
    elapsed = time.monotonic() - started
    for result in results:
        if not result.seconds:
            result.seconds = elapsed / len(results)
    return results


def _totals(report: RunReport) -> None:
    """The report's LLM and TTS usage, from the draft and audio stages' counts (the usage models name the keys)."""
    for stage in report.stages:
        if stage.stage == "draft":
            counts = {"calls": stage.counts.get("llm_calls", 0), **stage.counts}
            report.llm = LLMUsage(**{key: counts[key] for key in LLMUsage.model_fields if key in counts})
        if stage.stage == "audio":
            report.tts = TTSUsage(**{key: stage.counts[key] for key in TTSUsage.model_fields if key in stage.counts})


def run_day(
    config: Config,
    day: Date,
    *,
    sample: bool = False,
    from_stage: str | None = None,
    audio: bool = True,
    console: Console | None = None,
) -> RunReport:
    """Run every stage for ``day``; returns the report (also written to episodes/<date>/run.json)."""
    if from_stage is not None and from_stage not in STAGES:
        raise ConfigError(f"--from {from_stage!r} is not a stage", hint=f"use one of: {', '.join(STAGES)}")
    forced = set(STAGES[STAGES.index(from_stage):]) if from_stage else set()
    skip_before = set(STAGES[: STAGES.index(from_stage)]) if from_stage else set()
    from pipeline.reporting import print_report
    from pipeline.samples import maybe_sample_server

    events = Events(console)
    with run_lock(config) as lock_note:
        store = open_store(config.state_dir)
        report = RunReport(date=day, started=datetime.now(UTC))
        run_id = store.start_run(day.isoformat())
        if lock_note:
            report.message = lock_note
        for folder in (config.episode_dir(day), config.state_dir / "runs"):
            # After a killed run, its temp files are known dead whatever their age (the age rule guards a writer
            # that is still alive, such as the review app's).
            sweep_temp_files(folder, older_than=0.0 if lock_note else 60.0)
        sweep_scratch(config.state_dir)  # mix-*/ingest-* folders left by killed runs
        try:
            with maybe_sample_server(config, sample, day) as live, events, progress.listening(events.advance):
                job = DayRun(live, store, day, audio=audio, forced=forced, sample=sample)
                for stage in STAGES:
                    if stage in skip_before:
                        continue
                    events.start(stage)
                    try:
                        results = _timed(stage, getattr(job, stage))
                    except NothingUsableError as exc:
                        report.stages.append(StageResult(stage=stage, status="failed", failures=[
                            Failure.of(exc, day.isoformat())]))
                        report.status, report.message = "failed", f"nothing usable: {exc}"
                        events.end(report.stages[-1])
                        break
                    except BriefcastError as exc:
                        result = StageResult(stage=stage, status="failed", failures=[Failure.of(exc, day.isoformat())])
                        report.stages.append(result)
                        events.end(result)
                        if stage in ("curate", "draft"):
                            report.status, report.message = "failed", f"{stage} failed: {exc}"
                            break
                        continue
                    for result in results:
                        report.stages.append(result)
                        events.end(result)
                    _totals(report)
                    save_report(config.episodes_dir, report)
            if report.status == "running":
                report.status = "done"
        except BaseException as exc:
            report.status = "failed"
            report.message = f"unexpected {type(exc).__name__}: {exc}"
            raise
        finally:
            report.finished = datetime.now(UTC)
            _totals(report)
            save_report(config.episodes_dir, report)
            store.finish_run(run_id, report.status, report.model_dump(mode="json"))
            store.close()
    events.emit("run_end", status=report.status, message=report.message)
    print_report(events.console if events.tty else Console(stderr=True), report)
    return report


# -- one stage at a time, for orchestrators ---------------------------------------------------------------------

def run_stage(config: Config, day: Date, stage: str, *, audio: bool = True, force: bool = False,
              wait: float = 600.0) -> list[StageResult]:
    """One stage of ``day`` exactly as ``run_day`` runs it: the same lock, resume state, fingerprints and caches, so
    a show moves between cron and an orchestrator (Dagster) without re-doing a day. ``force`` redoes the stage
    even when its inputs are unchanged. The results replace that stage's lines in ``run.json``; a stage-level
    error is recorded there too, then raised for the orchestrator to mark the step failed."""
    if stage not in STAGES:
        raise ConfigError(f"{stage!r} is not a stage", hint=f"use one of: {', '.join(STAGES)}")
    with run_lock(config, wait=wait):
        store = open_store(config.state_dir)
        for folder in (config.episode_dir(day), config.state_dir / "runs"):
            sweep_temp_files(folder)
        sweep_scratch(config.state_dir)  # mix-*/ingest-* folders left by killed runs
        try:
            job = DayRun(config, store, day, audio=audio, forced={stage} if force else set())
            if stage == "notify":  # tell the editors once per new draft, whichever step drafted it
                drafted = (job.state.get("draft") or {}).get("finished", "")
                job.drafted_now = drafted > (job.state.get("notify") or {}).get("finished", "")
            try:
                results = _timed(stage, getattr(job, stage))
            except BriefcastError as exc:
                failed = StageResult(stage=stage, status="failed", failures=[Failure.of(exc, day.isoformat())])
                _merge_report(config, day, stage, [failed])
                raise
            if stage == "notify" and results[0].status != "skipped":
                job._finish("notify", "")
            _merge_report(config, day, stage, results)
            return results
        finally:
            store.close()


def record_results(config: Config, day: Date, results: list[StageResult]) -> None:
    """Put results made outside a run (publish's release) into the day's run.json, beside the run's own lines."""
    _merge_report(config, day, results[0].stage, results)


def _merge_lines(lines: list[StageResult], stage: str, results: list[StageResult]) -> list[StageResult]:
    """``lines`` with ``stage``'s lines replaced by ``results``, in running order. Stages also report sub-stages
    under names that are not stages: publish its release and delivery, render the rest (audio, newsletter ...);
    a stage's new lines replace all of its old ones."""

    def owner(name: str) -> str:
        return name if name in STAGES else "publish" if name in _PUBLISH_LINES else "render"

    replaced = {stage, *(line.stage for line in results)}
    replaced |= {line.stage for line in lines if owner(line.stage) == stage}
    kept = [line for line in lines if line.stage not in replaced]
    return sorted([*kept, *results], key=lambda line: STAGES.index(owner(line.stage)) + (line.stage not in STAGES) / 2)


def _merge_report(config: Config, day: Date, stage: str, results: list[StageResult]) -> None:
    """Put one stage's results into episodes/<date>/run.json, keeping the other stages' lines in running order."""
    path = config.episode_dir(day) / "run.json"
    try:
        report = RunReport.model_validate_json(path.read_text())
    except (OSError, ValueError):
        report = RunReport(date=day, started=datetime.now(UTC))
    report.stages = _merge_lines(report.stages, stage, results)
    fatal = [line for line in report.stages if line.status == "failed" and line.stage in ("curate", "draft")]
    report.status = "failed" if fatal else "done"
    report.message = (f"{fatal[0].stage} failed: {(fatal[0].failures or [Failure(message='see its notes')])[0].message}"
                      if fatal else None)
    report.finished = datetime.now(UTC)
    _totals(report)
    save_report(config.episodes_dir, report)
