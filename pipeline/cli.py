"""The ``briefcast`` command: parses, calls the core, maps errors to messages and exit codes in one place.

Exit codes: 0 done, 1 nothing usable / an action failed, 2 bad config or usage, 3 another run holds the lock.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date as Date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from pipeline.errors import BriefcastError, ConfigError, FetchError, LockedError

app = typer.Typer(
    help="briefcast: a daily AI news brief as a newsletter and a podcast, with an editor in the loop.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
review_app = typer.Typer(help="Editor review: the web app, and draft.md sync.", invoke_without_command=True)
app.add_typer(review_app, name="review")

console = Console(stderr=False)
errors = Console(stderr=True)

T = TypeVar("T")

ConfigOpt = Annotated[Path, typer.Option("--config", "-c", help="The show's config.yaml.")]
DateOpt = Annotated[
    str | None, typer.Option("--date", "-d", help="Episode date, YYYY-MM-DD (default: today in the show's time zone).")
]
SampleOpt = Annotated[
    bool, typer.Option("--sample", help="Use the bundled sample feeds and embedded models: no network, no key.")
]
EditorOpt = Annotated[
    str | None, typer.Option("--editor", help="Who is acting (default: review.editor or $BRIEFCAST_EDITOR or $USER).")
]


def _guard(action: Callable[[], T]) -> T:
    """Run a command body; a BriefcastError becomes one clear message and its exit code."""
    try:
        return action()
    except BriefcastError as exc:
        # User data (ids in brackets, titles, paths) is escaped: "segment [policy]" prints as written.
        errors.print(f"[bold red]error[/]: {escape(str(exc))}", markup=True, highlight=False, soft_wrap=True)
        if exc.hint:
            errors.print(f"[yellow]hint[/]: {escape(exc.hint)}", markup=True, highlight=False, soft_wrap=True)
        code = 3 if isinstance(exc, LockedError) else exc.exit_code
        raise typer.Exit(code) from None
    except KeyboardInterrupt:
        errors.print("interrupted")
        raise typer.Exit(130) from None


def _parse_date(value: str | None, config: Any) -> Date:
    if value is None:
        return config.today()
    try:
        return Date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--date {value!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-03-10") from None


def _load(config_path: Path, sample: bool = False) -> Any:
    from pipeline.config import load_config

    config = load_config(config_path)
    if sample:
        from pipeline.samples import sample_config

        config = sample_config(config)
    return config


def _editor(config: Any, editor: str | None) -> str:
    from pipeline.review.workflow import check_editor, editor_name

    return check_editor(config, editor_name(config, editor))


@app.command()
def init(directory: Annotated[Path, typer.Argument(help="Folder for the new show.")]) -> None:
    """Create a new show folder with config.yaml and prompts to edit."""

    def body() -> None:
        from pipeline.showinit import init_show

        path = init_show(directory)
        console.print(
            f"Created {path}. Edit config.yaml (title, sources, segments), then: "
            f"briefcast run -c {path / 'config.yaml'}",
            markup=False,
            highlight=False,
        )

    _guard(body)


@app.command()
def ingest(config: ConfigOpt = Path("config.yaml"), sample: SampleOpt = False) -> None:
    """Fetch the show's feeds concurrently and safely; remember what was seen."""

    def body() -> None:
        from pipeline.ingest import ingest as run_ingest
        from pipeline.reporting import print_stage
        from pipeline.samples import maybe_sample_server
        from pipeline.store import open_store

        cfg = _load(config, sample)
        store = open_store(cfg.state_dir)
        with maybe_sample_server(cfg, sample) as cfg:
            result = run_ingest(cfg, store)
        print_stage(console, result)
        if result.status == "failed":
            causes = "; ".join(failure.message for failure in result.failures[:3])
            more = f" (and {len(result.failures) - 3} more)" if len(result.failures) > 3 else ""
            raise FetchError(
                f"every feed failed ({len(result.failures)} of {int(result.counts.get('feeds', 0))}): {causes}{more}",
                hint="each feed's cause and fix is in the table above; "
                "check the network and the sources in config.yaml",
            )

    _guard(body)


@app.command()
def curate(config: ConfigOpt = Path("config.yaml"), date: DateOpt = None, sample: SampleOpt = False) -> None:
    """Cluster the day's items into stories, rank them and fill the show's segments."""

    def body() -> None:
        from pipeline.curate import curate as run_curate
        from pipeline.reporting import print_rundown
        from pipeline.store import open_store

        cfg = _load(config, sample)
        day = _parse_date(date, cfg)
        rundown = run_curate(cfg, open_store(cfg.state_dir), day)
        print_rundown(console, rundown)

    _guard(body)


@app.command()
def draft(config: ConfigOpt = Path("config.yaml"), date: DateOpt = None, sample: SampleOpt = False) -> None:
    """Draft every segment and the spoken script with the LLM; check claims against sources."""

    def body() -> None:
        from pipeline.curate import record_coverage
        from pipeline.draft import draft as run_draft
        from pipeline.reporting import print_stage
        from pipeline.store import open_store

        cfg = _load(config, sample)
        day = _parse_date(date, cfg)
        store = open_store(cfg.state_dir)
        result = run_draft(cfg, store, day)
        if result.status != "failed":
            record_coverage(cfg, store, day)  # what the episode covers counts from now on, not from a preview
        print_stage(console, result)

    _guard(body)


@app.command()
def render(
    config: ConfigOpt = Path("config.yaml"),
    date: DateOpt = None,
    sample: SampleOpt = False,
    audio: Annotated[bool, typer.Option(help="Render the MP3 too.")] = True,
    allow_stale: Annotated[
        bool,
        typer.Option(
            "--allow-stale", help="Voice scripts marked stale (their text was edited after the script was written)."
        ),
    ] = False,
) -> None:
    """Render the draft's newsletter and audio into episodes/<date>/ (after edits, only changed segments re-voiced)."""

    def body() -> int:
        from pipeline.publish import render_episode
        from pipeline.reporting import print_stage
        from pipeline.store import open_store

        cfg = _load(config, sample)
        day = _parse_date(date, cfg)
        results = render_episode(cfg, open_store(cfg.state_dir), day, audio=audio, allow_stale_scripts=allow_stale)
        for result in results:
            print_stage(console, result)
        return 1 if any(result.status == "failed" for result in results) else 0

    raise typer.Exit(_guard(body))


@app.command()
def run(
    config: ConfigOpt = Path("config.yaml"),
    date: DateOpt = None,
    sample: SampleOpt = False,
    from_stage: Annotated[str | None, typer.Option("--from", help="Force this stage and those after it.")] = None,
    audio: Annotated[bool, typer.Option(help="Render the MP3.")] = True,
) -> None:
    """The daily job: ingest, curate, draft, render; resumable and idempotent for a date."""

    def body() -> int:
        from pipeline.run import run_day

        cfg = _load(config, sample)
        day = _parse_date(date, cfg)
        report = run_day(cfg, day, sample=sample, from_stage=from_stage, audio=audio, console=console)
        return 0 if report.status == "done" else 1

    raise typer.Exit(_guard(body))


@review_app.callback()
def review(
    ctx: typer.Context,
    config: ConfigOpt = Path("config.yaml"),
    date: DateOpt = None,
    host: Annotated[str | None, typer.Option(help="Address to bind (default review.host, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default review.port; 0 picks a free one).")] = None,
) -> None:
    """Serve the local review app and print its URL."""
    if ctx.invoked_subcommand is not None:
        return

    def body() -> None:
        from pipeline.review.app import serve

        cfg = _load(config)
        day = _parse_date(date, cfg) if date else None
        serve(cfg, host=host, port=port, day=day,
              announce=lambda url: console.print(f"Review app: {url}", markup=False, highlight=False))

    _guard(body)


@review_app.command("sync")
def review_sync(
    config: ConfigOpt = Path("config.yaml"),
    date: DateOpt = None,
    keep: Annotated[
        str | None,
        typer.Option(
            help="When draft.md conflicts with episode.json: 'file' (its edits win) "
            "or 'app' (re-write it; the file is kept as draft.md.rejected)."
        ),
    ] = None,
    editor: EditorOpt = None,
) -> None:
    """Take edits made to draft.md back into episode.json."""

    def body() -> None:
        from pipeline.review.workflow import resolve_draft, sync_draft

        cfg = _load(config)
        day = _parse_date(date, cfg)
        if keep is not None:
            if keep not in ("file", "app"):
                raise ConfigError(f"--keep {keep!r} is not 'file' or 'app'", hint="--keep file, or --keep app")
            console.print(resolve_draft(cfg, day, keep, editor=_editor(cfg, editor)), markup=False, highlight=False)  # type: ignore[arg-type]
            return
        changed = sync_draft(cfg, day, editor=_editor(cfg, editor) if editor else None)
        console.print(f"{len(changed)} segment(s) taken from draft.md: {', '.join(changed) or 'none changed'}",
                      markup=False, highlight=False)
        if changed.note:
            console.print("Kept the note typed above the first section as the episode's editor note (shown in the "
                          "review app and at the top of draft.md; never published).", markup=False, highlight=False)

    _guard(body)


@app.command()
def approve(
    date: Annotated[str, typer.Argument(help="Episode date, YYYY-MM-DD.")],
    config: ConfigOpt = Path("config.yaml"),
    editor: EditorOpt = None,
    override_flags: Annotated[
        bool, typer.Option("--override-flags", help="Approve although grounding flags are open.")
    ] = False,
    note: Annotated[str | None, typer.Option(help="A note kept with the approval.")] = None,
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            help="Approve only if the content hash still starts with this (from 'briefcast status D --json').",
        ),
    ] = None,
) -> None:
    """Approve an episode for release (the words as they are now, recorded with their versions and hash)."""

    def body() -> None:
        from pipeline.errors import ApprovalError
        from pipeline.fingerprint import content_hash
        from pipeline.review.workflow import approve as do_approve
        from pipeline.review.workflow import load

        cfg = _load(config)
        day = _parse_date(date, cfg)
        seen = None
        if expect:
            from pipeline.review.workflow import Seen

            current = content_hash(load(cfg, day))
            if not current.startswith(expect.strip()):
                raise ApprovalError(
                    f"not approved: the episode's content hash is {current[:12]}, not {expect}",
                    subject=day.isoformat(),
                    hint="look at what changed (briefcast status), then approve again",
                )
            seen = Seen(content_hash=current)
        episode = do_approve(cfg, day, editor=_editor(cfg, editor), override_flags=override_flags, note=note, seen=seen)
        approval = episode.approval
        versions = ", ".join(f"{key} v{value}" for key, value in (approval.versions if approval else {}).items())
        console.print(
            f"Approved {episode.date} ({episode.title}) as {approval.content_hash[:12] if approval else '?'}: "
            f"{versions}.",
            markup=False,
            highlight=False,
        )

    _guard(body)


@app.command()
def publish(
    date: Annotated[str, typer.Argument(help="Episode date, YYYY-MM-DD.")],
    config: ConfigOpt = Path("config.yaml"),
    editor: EditorOpt = None,
) -> None:
    """Release an approved episode: feed.xml, the archive and the newsletter feed."""

    def body() -> None:
        from pipeline.review.workflow import publish as do_publish

        cfg = _load(config)
        episode = do_publish(cfg, _parse_date(date, cfg), editor=_editor(cfg, editor))
        console.print(f"Published {episode.date}: {cfg.episodes_dir / 'feed.xml'}", markup=False, highlight=False)
        if cfg.deliver:
            from pipeline.deliver import last_delivery
            from pipeline.reporting import print_stage

            delivered = last_delivery(cfg, episode.date)
            if delivered is not None:
                print_stage(console, delivered)

    _guard(body)


@app.command()
def deliver(
    date: Annotated[str, typer.Argument(help="Episode date, YYYY-MM-DD.")],
    config: ConfigOpt = Path("config.yaml"),
    test: Annotated[
        str | None, typer.Option("--test", help="Send one test copy of the newsletter to this address only.")
    ] = None,
) -> None:
    """Send the published newsletter and upload the published files to the show's deliver: targets, once each."""

    def body() -> int:
        from pipeline.deliver import deliver as do_deliver
        from pipeline.reporting import print_stage

        cfg = _load(config)
        result = do_deliver(cfg, _parse_date(date, cfg), test_address=test)
        print_stage(console, result)
        return 0 if result.status in ("done", "skipped") else 1

    raise typer.Exit(_guard(body))


@app.command()
def status(
    date: Annotated[str | None, typer.Argument(help="One episode's date; default: recent episodes.")] = None,
    config: ConfigOpt = Path("config.yaml"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What stage each recent episode is in, and what needs an editor."""

    def body() -> None:
        from pipeline.reporting import episode_statuses, print_statuses

        cfg = _load(config)
        rows = episode_statuses(cfg, _parse_date(date, cfg) if date else None)
        if as_json:
            console.print_json(json.dumps(rows, default=str))
        else:
            print_statuses(console, rows)

    _guard(body)


@app.command()
def schedule(
    config: ConfigOpt = Path("config.yaml"),
    at: Annotated[
        str | None, typer.Option(help="Time of day to run, HH:MM in the show's time zone (default: schedule.at).")
    ] = None,
    install: Annotated[bool, typer.Option(help="Install the systemd user timer instead of printing it.")] = False,
) -> None:
    """Print (or install) a systemd timer and a crontab line for the daily run."""

    def body() -> None:
        from pipeline.schedule import schedule_units

        cfg = _load(config)
        for line in schedule_units(cfg, at=at or cfg.schedule.at, install=install):
            console.print(line, markup=False, highlight=False)

    _guard(body)


@app.command("dagster")
def dagster_cmd(
    folder: Annotated[Path, typer.Argument(help="A folder with one subfolder (config.yaml) per show.")],
    date: Annotated[
        str | None, typer.Option("--date", "-d", help="Materialize this day of every show now, in this process.")
    ] = None,
    show: Annotated[list[str] | None, typer.Option("--show", help="Only this show (repeatable), with --date.")] = None,
) -> None:
    """Many shows on Dagster: check a folder of shows and list its assets, or run one day of them (--date)."""

    def body() -> int:
        try:
            from pipeline.orchestrate import dagster_defs
        except ImportError as exc:
            raise ConfigError(f"the Dagster integration needs the dagster package ({exc})",
                              hint='pip install "briefcast[dagster]" (or: pip install -e ".[dagster]")') from None
        from pipeline.reporting import print_newsroom

        if date is None:
            room = dagster_defs.build_newsroom(folder)
            print_newsroom(console, room, folder)
            return 0
        try:
            day = Date.fromisoformat(date)
        except ValueError:
            raise ConfigError(f"--date {date!r} is not a date", hint="write it as YYYY-MM-DD") from None
        outcomes = dagster_defs.materialize_day(folder, day, names=show or ())
        print_newsroom(console, None, folder, outcomes=outcomes)
        return 0 if all(outcome.failure is None for outcome in outcomes) else 1

    raise typer.Exit(_guard(body))


@app.command()
def say(
    text: Annotated[str | None, typer.Argument(help="Words to hear in the show's voice.")] = None,
    check: Annotated[bool, typer.Option("--check", help="List the words of a day's script the voice would guess or "
                                                         "spell (not in its dictionary or a lexicon).")] = False,
    date: DateOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the WAV.")] = Path("say.wav"),
    config: ConfigOpt = Path("config.yaml"),
    sample: SampleOpt = False,
) -> None:
    """Hear any text in the show's voice and lexicon (a short WAV), or check a day's script for words to add."""

    def body() -> int:
        from pipeline.audio import pronounce

        cfg = _load(config, sample)
        if check:
            from pipeline.files import load_episode
            from pipeline.reporting import print_unknown_words

            day = _parse_date(date, cfg)
            episode = load_episode(cfg.episodes_dir, day)
            scripts = [(segment.id, segment.script) for segment in episode.live_segments]
            unknown = pronounce.unknown_words(scripts, cfg.tts.lexicon, cfg.tts.say_as_words)
            print_unknown_words(console, unknown, day)
            return 0
        if not text:
            raise ConfigError("say needs the words to speak, or --check",
                              hint='briefcast say "Qwen2.5-72B costs $0.10 per million tokens"')
        seconds = pronounce.say(cfg, text, out)
        console.print(f"wrote {escape(str(out))} ({seconds:.1f} s)", highlight=False)
        return 0

    raise typer.Exit(_guard(body))


def main() -> None:
    try:
        app()
    except BrokenPipeError:
        sys.exit(1)


__all__ = ["app", "main"]
