"""Terminal tables for stage results, the rundown, run reports and episode statuses."""

from __future__ import annotations

import json
import os
from datetime import date as Date
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.config import Config
from pipeline.fingerprint import content_hash
from pipeline.models import Episode, Rundown, RunReport, StageResult

STATUS_STYLE = {"done": "green", "skipped": "dim", "partial": "yellow", "failed": "red"}


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.4f}" if abs(value) < 1 else f"{value:,.1f}"
    return f"{int(value):,}"


def print_stage(console: Console, result: StageResult) -> None:
    """One stage's counts, then its failures with their causes."""
    style = STATUS_STYLE.get(result.status, "")
    counts = escape(", ".join(f"{key} {_number(value)}" for key, value in result.counts.items()))
    console.print(f"[bold]{escape(result.stage)}[/]: [{style}]{result.status}[/] in {result.seconds:.1f}s  {counts}")
    if result.failures:
        table = Table("subject", "kind", "cause", title=f"{result.stage}: {len(result.failures)} problem(s)",
                      title_justify="left", show_lines=False)
        for failure in result.failures:
            table.add_row(escape(failure.subject), escape(failure.kind), escape(failure.message))
        console.print(table)
    for note in result.notes:
        console.print(f"  [dim]{escape(note)}[/]", highlight=False)


def print_rundown(console: Console, rundown: Rundown) -> None:
    """The rundown as editors read it: story, sources, score (with its terms), segment."""
    table = Table("#", "story", "sources", "score", "terms", "segment", title=f"Rundown for {rundown.date}",
                  title_justify="left")
    for rank, story in enumerate(rundown.stories, start=1):
        terms = " ".join(f"{key}={value:.2f}" for key, value in story.score_terms.items() if value)
        segment = story.segment or "-"
        if story.follow_up_of:
            segment += " (follow-up)"
        table.add_row(str(rank), escape(story.title[:80]), str(len(story.outlets)), f"{story.score:.2f}", escape(terms),
                      escape(segment))
    console.print(table)
    for note in rundown.notes:
        console.print(f"[dim]{escape(note)}[/]", highlight=False)
    filled = ", ".join(f"{seg} ({len(ids)})" for seg, ids in rundown.segments.items()) or "none"
    console.print(f"{rundown.item_count} items -> {len(rundown.stories)} stories; segments: {filled}", markup=False)


def print_report(console: Console, report: RunReport) -> None:
    """The end-of-run summary table."""
    table = Table("stage", "status", "seconds", "counts", "problems", title=f"Run {report.date}: {report.status}",
                  title_justify="left")
    for stage in report.stages:
        counts = ", ".join(f"{key} {_number(value)}" for key, value in stage.counts.items())
        style = STATUS_STYLE.get(stage.status, "")
        table.add_row(escape(stage.stage), f"[{style}]{stage.status}[/]", f"{stage.seconds:.1f}", escape(counts),
                      str(len(stage.failures)) if stage.failures else "")
    console.print(table)
    for stage in report.stages:
        for failure in stage.failures:
            console.print(f"  [yellow]{escape(stage.stage)}[/] {escape(failure.subject)}: "
                          f"{escape(failure.kind)}: {escape(failure.message)}", highlight=False)
    for label, usage in (("LLM", report.llm), ("TTS", report.tts)):
        used = usage.model_dump()
        if any(used.values()):
            console.print(f"{label}: " + ", ".join(f"{key} {_number(value)}" for key, value in used.items()),
                          markup=False)
    if report.message:
        console.print(report.message, highlight=False, markup=False)


def _summary(config: Config, episode: Episode) -> dict[str, Any]:
    waiting = []
    if episode.status == "drafted":
        waiting.append("approval")
    if episode.open_flags:
        waiting.append(f"{len(episode.open_flags)} open flag(s)")
    failed = [segment.id for segment in episode.segments if segment.status == "failed"]
    if failed:
        waiting.append("failed segments: " + ", ".join(failed))
    stale = [s.id for s in episode.live_segments if s.script_stale and s.script.strip()]
    if stale:
        waiting.append("stale script: " + ", ".join(stale))
    if any(s.proposal for s in episode.segments):
        waiting.append("proposal: " + ", ".join(s.id for s in episode.segments if s.proposal))
    if episode.status == "approved":
        waiting.append("publish")
    if episode.status == "published" and config.deliver:
        from pipeline.deliver import last_delivery

        delivered = last_delivery(config, episode.date)
        if delivered is None:
            waiting.append(f"delivery: briefcast deliver {episode.date}")
        elif delivered.failures:
            waiting.append(f"delivery: {len(delivered.failures)} problem(s), briefcast deliver {episode.date}")
    report_path = config.episode_dir(episode.date) / "run.json"
    last_run = None
    if report_path.exists():
        try:
            last_run = json.loads(report_path.read_text()).get("status")
        except (OSError, ValueError):
            last_run = "unreadable"
    return {
        "date": episode.date.isoformat(),
        "title": episode.title,
        "status": episode.status,
        "segments": len(episode.live_segments),
        "open_flags": len(episode.open_flags),
        "audio": bool(episode.audio),
        "stale_scripts": stale,
        "approved_by": episode.approval.by if episode.approval else None,
        "content_hash": content_hash(episode),
        "last_run": last_run,
        "waiting_on": waiting,
    }


def episode_statuses(config: Config, day: Date | None = None, limit: int = 14) -> list[dict[str, Any]]:
    """Recent episodes (or one) with their stage and what waits on an editor."""
    from pipeline.files import episode_days, read_episodes

    days = [day] if day is not None else episode_days(config.episodes_dir)[:limit]
    read = {each: (episode, error) for each, episode, error in read_episodes(config.episodes_dir, days)}
    rows = []
    for each in days:
        if each in read:
            episode, error = read[each]
            rows.append(_summary(config, episode) if episode is not None else {
                "date": each.isoformat(), "title": error or "", "status": "unreadable", "segments": 0,
                "open_flags": 0, "audio": False, "last_run": None, "waiting_on": ["fix episode.json"], "error": error})
        else:
            stage = "curated" if (config.episode_dir(each) / "rundown.json").exists() else "not started"
            rows.append({"date": each.isoformat(), "title": "", "status": stage, "segments": 0, "open_flags": 0,
                         "audio": False, "last_run": None, "waiting_on": ["draft"]})
    return rows


def print_statuses(console: Console, rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("No episodes yet. Start one with: briefcast run (or briefcast run --sample)")
        return
    table = Table("date", "status", "title", "segments", "flags", "audio", "waiting on", title="Episodes",
                  title_justify="left")
    for row in rows:
        table.add_row(
            row["date"],
            escape(row["status"]),
            escape(row["title"][:50]),
            str(row["segments"]),
            str(row["open_flags"]),
            "yes" if row["audio"] else "no",
            escape(", ".join(row["waiting_on"]) or "-"),
        )
    console.print(table)


def print_newsroom(console: Console, room: Any, folder: Any, outcomes: list[Any] | None = None) -> None:
    """`briefcast dagster DIR`: the shows and what Dagster makes of them, or one day's outcome per show.

    Plain lines, not a table: the gates' causes are long, and CI logs should keep them whole."""
    say = lambda text: console.print(text, soft_wrap=True, highlight=False, markup=False)  # noqa: E731
    if outcomes is not None:
        for outcome in outcomes:
            steps = ", ".join(f"{stage} {state}" for stage, state in outcome.steps.items())
            say(f"{outcome.show} {outcome.day}: {'ok' if outcome.ok else 'NEEDS ATTENTION'} ({steps})")
            if outcome.failure:
                say(f"  failed at {outcome.failure}")
            for name, passed, severity, text in outcome.gates:
                if not passed:
                    say(f"  gate {name} ({severity}): {text}")
        return
    from pipeline.orchestrate.dagster_defs import POOL_LOCAL, POOL_RENDER, POOL_SHARED

    say(f"Shows in {folder}:")
    for show in room.shows:
        review = "an editor approves, then the sensor publishes" if show.review_required else "publishes after render"
        pool = POOL_LOCAL if show.backend == "local" else POOL_SHARED
        say(f"  {show.name}: daily at {show.at} {show.timezone}; {review}; draft pool {pool}; "
            f"jobs {show.name}_daily, {show.name}_publish")
    say("Sensor briefcast_approvals publishes each approved episode once. The UI and the daemon:\n"
        f"  pip install dagster-webserver && BRIEFCAST_SHOWS={folder} dagster dev -f deploy/dagster/defs.py\n"
        f"One day of every show, here and now: briefcast dagster {folder} --date YYYY-MM-DD\n"
        f"Pool limits, once per Dagster instance: dagster instance concurrency set {POOL_LOCAL} 1; "
        f"dagster instance concurrency set {POOL_SHARED} {room.resources['llm'].shared_slots}; "
        f"dagster instance concurrency set {POOL_RENDER} {os.cpu_count() or 1} (render steps, CPU-bound)")


def print_unknown_words(console: Console, unknown: list[Any], day: Date) -> None:
    """`briefcast say --check`: the words of a day's script the voice would guess or spell."""
    if not unknown:
        console.print(f"{day}: every word of the script is in the voice's dictionary or a lexicon.")
        return
    table = Table("word", "voice would", "times", "segments", "first heard in", title=f"Words to check, {day}",
                  title_justify="left")
    for entry in unknown:
        table.add_row(escape(entry.word), entry.how, str(entry.count), escape(", ".join(entry.segments)),
                      escape(entry.example[:70]))
    console.print(table)
    console.print('Hear one with: briefcast say "WORD"; fix it in config.yaml under tts.lexicon (WORD: how to say it).')
