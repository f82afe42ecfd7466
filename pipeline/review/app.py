"""The local review app: read, edit, regenerate, listen, approve and publish an episode in a browser.

Starlette + Jinja2 + one small static script; every action calls `pipeline.review.workflow`, never the files.

Security (the app edits what will be published, and a browser tab on any site can reach 127.0.0.1):
- Host header must name the bound address (DNS rebinding) else 403; bound beyond loopback only with a token
  (``review.token_env``), checked on every request (``Authorization: Bearer``, or a cookie set from ``?token=``).
- Every POST needs the CSRF token (an HMAC of a per-process secret) and a same-origin Origin (or Referer).
- Jinja2 autoescape everywhere; CSP ``default-src 'self'; script-src 'self'`` with no inline script;
  ``frame-ancestors 'none'``. The newsletter preview is served under a ``sandbox`` CSP in a sandboxed iframe.
- Episode ids must match ``^\\d{4}-\\d{2}-\\d{2}$`` and segment ids the config's id alphabet, else 404.
- Edits carry the version of the segment they were based on (form field or If-Match); a stale one gets 409 with
  the other edit. Approve carries the content hash and versions on screen; a newer episode is refused with the diff.
- Identity: with ``review.editors`` the acting editor is the one chosen on the page (loopback) or the one whose
  token was given (beyond loopback); the form cannot name anyone else. Text fields refuse file uploads.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import socket
import threading
import time
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager, closing
from dataclasses import asdict, dataclass, field
from datetime import date as Date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.config import Config
from pipeline.errors import BriefcastError, ConflictError, EpisodeNotFoundError, ReviewError
from pipeline.fingerprint import content_hash, stale_outputs
from pipeline.models import CITATION, Episode, Segment, citation_numbers, refuse_replacing_edits
from pipeline.models import cited as cited_numbers
from pipeline.review import workflow

if TYPE_CHECKING:
    from pipeline.store import Store

PACKAGE = Path(__file__).resolve().parent
SEGMENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
       "frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
# The newsletter is our own rendering of sanitized feed text, but it is still shown as a hostile document:
# no scripts, no same-origin access, no forms; only its inline email CSS and remote images.
NEWSLETTER_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
                  "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")

NOTICES = {
    "saved": "Saved.",
    "moved": "Running order changed.",
    "dropped": "Segment dropped.",
    "restored": "Segment restored.",
    "undone": "Previous version restored.",
    "resolved": "Flag resolved.",
    "approved": "Episode approved.",
    "rejected": "Episode rejected.",
    "published": "Episode published: the feed, archive and newsletter feed are rebuilt.",
    "story": "Story override saved; it applies when the segment is regenerated.",
    "unchanged": "Nothing changed.",
    "accepted": "Proposal accepted: the regenerated version replaces the one before (undo brings it back).",
    "discarded": "Proposal discarded.", "script": "Script kept as it is: it is no longer marked stale.",
    "recited": "Citation changed and the claims checked again.",
    "draft-file": "draft.md taken in: the file's edits won.",
    "draft-app": "draft.md re-written from the app's version; the file as it was is kept as draft.md.rejected.",
}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- background jobs ---------------------------------------------------------------------------------


@dataclass
class Job:
    id: str
    kind: str
    day: str
    segment: str | None = None
    status: str = "running"  # running | done | failed | unchanged (the output ignored the feedback) | proposal
    message: str = ""
    phase: str = ""  # what the job is doing now, shown where the editor looks (the segment)
    hint: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data["elapsed"] = round((self.finished or time.time()) - self.started, 1)
        return data


class Jobs:
    """Long actions (regenerate, re-render audio) run in a thread; the page polls ``/jobs/<id>``."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, kind: str, day: Date, work: Callable[[Job], str | tuple[str, str]], *,
              segment: str | None = None) -> Job:
        """Run ``work(job)`` in a thread; it returns a message, or (status, message) for another ending than done."""
        job = Job(id=secrets.token_hex(8), kind=kind, day=day.isoformat(), segment=segment)
        with self._lock:
            self._jobs[job.id] = job

        def run() -> None:
            try:
                answer = work(job)
                status, message = answer if isinstance(answer, tuple) else ("done", answer)
                job.message, job.status = message or "done", status
            except BriefcastError as exc:
                job.status, job.message, job.hint = "failed", str(exc), exc.hint
            except Exception as exc:  # a bug must still end the job visibly, not spin the page forever
                job.status, job.message = "failed", f"unexpected error: {type(exc).__name__}: {exc}"
                traceback.print_exc()
            finally:
                job.finished = time.time()

        threading.Thread(target=run, name=f"review-{kind}-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def running(self, day: Date) -> list[Job]:
        with self._lock:
            return [job for job in self._jobs.values() if job.day == day.isoformat() and job.status == "running"]


# -- the guard: host, token, headers -----------------------------------------------------------------


def _split_host(value: str) -> tuple[str, int | None]:
    value = value.strip().lower()
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = value.partition(":")
    return host, int(port) if port.isdigit() else None


class Guard:
    """ASGI middleware: Host and token checks before anything runs; security headers on every answer."""

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        refusal = self._refuse(scope, headers)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {key.lower() for key, _ in message.get("headers", [])}
                extra = [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY"),
                         (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                         (b"cache-control", b"no-store"), (b"cross-origin-opener-policy", b"same-origin"),
                         (b"cross-origin-resource-policy", b"same-origin")]
                message["headers"] = list(message.get("headers", [])) + [h for h in extra if h[0] not in present]
            await send(message)

        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    def _refuse(self, scope: Scope, headers: dict[str, str]) -> Response | None:
        host, port = _split_host(headers.get("host", ""))
        allowed = self.state.allowed_hosts
        if allowed is not None and (host not in allowed or (self.state.port and port not in (self.state.port, None))):
            return PlainTextResponse(
                "403: this review app only answers requests addressed to its own address (Host header refused).",
                status_code=403,
            )
        tokens: dict[str, str | None] = self.state.tokens  # token -> the editor it names (None: the shared token)
        if tokens:
            given = headers.get("authorization", "").removeprefix("Bearer ").strip()
            cookie = _cookie(headers.get("cookie", ""), "briefcast_review")
            match = _token_match(tokens, given) or _token_match(tokens, cookie)
            if match is None:
                query = dict(
                    part.split("=", 1) for part in scope.get("query_string", b"").decode().split("&") if "=" in part
                )
                offered = query.get("token", "")
                if scope["method"] == "GET" and _token_match(tokens, offered) is not None:
                    response = RedirectResponse(scope["path"], status_code=303)
                    response.set_cookie("briefcast_review", offered, httponly=True, samesite="strict")
                    return response
                return PlainTextResponse("401: this review app needs its token (open the URL it printed).",
                                         status_code=401)
            scope.setdefault("state", {})["token_editor"] = match[1]
        return None


def _token_match(tokens: dict[str, str | None], given: str) -> tuple[str, str | None] | None:
    """The (token, editor) that ``given`` is, compared in constant time against every token."""
    found = None
    for token, editor in tokens.items():
        if given and hmac.compare_digest(given.encode(), token.encode()):
            found = (token, editor)
    return found


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


# -- views -------------------------------------------------------------------------------------------

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
EDITOR_COOKIE = "briefcast_editor"


def _paragraphs(text: str) -> list[str]:
    return [block.strip() for block in re.split(r"\n\s*\n", text or "") if block.strip()]


def _highlight(text: str, segment: Segment, field_name: str) -> Markup:
    """Escaped text in paragraphs; [n] become links to the segment's sources; flagged sentences are marked."""
    flags = [f for f in segment.flags if f.field == field_name and not f.resolved and f.sentence.strip()]
    cite = (lambda html: CITATION.sub(lambda m: _cite_links(m, segment), html)) if field_name == "text" else str
    out = []
    for block in _paragraphs(text):
        # Cut the block at flagged sentences first, then escape and link each piece: markup never nests oddly.
        pieces: list[tuple[str, str | None]] = [(block, None)]
        for flag in flags:
            needle = flag.sentence.strip()
            for i, (piece, marked) in enumerate(pieces):
                if marked is None and needle in piece:
                    before, _, after = piece.partition(needle)
                    pieces[i:i + 1] = [(before, None), (needle, flag.id), (after, None)]
                    break
        html = ""
        for piece, flag_id in pieces:
            inner = cite(str(escape(piece)))
            html += f'<mark class="flagged" data-flag="{escape(flag_id)}">{inner}</mark>' if flag_id else inner
        out.append(f"<p>{html}</p>".replace("\n", "<br>"))
    return Markup("".join(out))


def _cite_links(match: re.Match[str], segment: Segment) -> str:
    numbers = citation_numbers(match.group(1))
    links = []
    for n in numbers:
        if segment.source(n) is None:
            links.append(f'<span class="missing" title="this segment has no source [{n}]">{n}</span>')
        else:
            links.append(f'<a href="#src-{escape(segment.id)}-{n}">{n}</a>')
    return '<sup class="cite">[' + ",".join(links) + "]</sup>"


def _segment_view(config: Config, episode: Episode, segment: Segment, index: int, jobs: list[Job]) -> dict[str, Any]:
    excerpts = {source.item_id: source for story in episode.stories for source in story.sources}
    sources: list[dict[str, Any]] = []
    for ref in segment.sources:
        story_source = excerpts.get(ref.item_id)
        sources.append({"ref": ref, "excerpt": story_source.excerpt if story_source else "",
                        "published": story_source.published if story_source else None})
    flags = []
    ordered = sorted(segment.flags, key=lambda f: (f.resolved, SEVERITY_RANK.get(f.severity, 1)))
    for flag in ordered:
        cited = sorted(set(cited_numbers(flag.sentence)))
        suggest = [s for s in sources if s["ref"].n in flag.suggest and s["ref"].n not in cited]
        flags.append({"flag": flag, "cited": [s for s in sources if s["ref"].n in cited], "suggest": suggest,
                      "in_words": flag.sentence in getattr(segment, flag.field)})
    chapter = None
    if episode.audio:
        chapter = next((c for c in episode.audio.chapters if c.segment_id == segment.id), None)
    return {
        "segment": segment, "index": index, "first": index == 0, "last": index == len(episode.segments) - 1,
        "text_html": _highlight(segment.text, segment, "text"),
        "script_html": _highlight(segment.script, segment, "script"),
        "words": len(segment.script.split()),
        "sources": sources, "flags": flags, "open_flags": sum(1 for f in segment.flags if not f.resolved),
        "diff": workflow.segment_diff(episode, segment.id), "chapter": chapter,
        "proposal_diff": workflow.proposal_diff(segment),
        "jobs": [job for job in jobs if job.segment == segment.id],
    }


def _timeline(episode: Episode, limit: int = 60) -> list[dict[str, Any]]:
    """Who did what, newest first: status transitions and episode-level actions, and every segment change."""
    rows: list[dict[str, Any]] = [
        {"at": t.at, "by": t.by, "what": t.note or t.status, "status": t.status} for t in episode.history
    ]
    for segment in episode.segments:
        for old in segment.history:
            rows.append(
                {"at": old.at, "by": old.by, "what": f"[{segment.id}] {old.reason or 'changed'}", "status": None}
            )
    return sorted(rows, key=lambda row: row["at"], reverse=True)[:limit]


class App:
    """The endpoints, holding the config, the templates and the job table."""

    def __init__(self, config: Config, *, host: str, token: str | None) -> None:
        self.config = config
        self.secret = secrets.token_bytes(32)
        self.csrf = hmac.new(self.secret, b"briefcast-review-csrf", hashlib.sha256).hexdigest()
        self.jobs = Jobs()
        self.env = Environment(loader=PackageLoader("pipeline.review", "templates"),
                               autoescape=select_autoescape(default=True, default_for_string=True))
        self.env.globals.update(csrf=self.csrf, show=config.show, editors=[e.name for e in config.review.editors])
        self.host = host
        self.token = token

    # helpers

    def page(self, name: str, status: int = 200, request: Request | None = None, **context: Any) -> HTMLResponse:
        me = self.identity(request) if request is not None else None
        by_token = bool(request is not None and request.scope.get("state", {}).get("token_editor"))
        return HTMLResponse(self.env.get_template(name).render(me=me, by_token=by_token, **context), status_code=status)

    def error_page(self, exc: BriefcastError, status: int, day: Date | None = None,
                   request: Request | None = None) -> HTMLResponse:
        return self.page("error.html", status, request, error=exc, day=day)

    @staticmethod
    def day_of(request: Request) -> Date:
        try:
            return workflow.parse_day(request.path_params["day"])
        except EpisodeNotFoundError:
            raise HTTPException(404, "no such episode") from None

    @staticmethod
    def segment_of(request: Request) -> str:
        segment_id = request.path_params["segment"]
        if not SEGMENT_ID.match(segment_id):
            raise HTTPException(404, "no such segment")
        return segment_id

    async def form(self, request: Request) -> FormData:
        """The POST's form, after the Origin and CSRF checks (403 when either fails); file uploads are refused."""
        expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
        origin = request.headers.get("origin")
        if origin is None and request.headers.get("referer"):
            parts = urlsplit(request.headers["referer"])
            origin = f"{parts.scheme}://{parts.netloc}"
        if origin != expected:
            raise HTTPException(403, "cross-origin request refused (Origin does not match this app)")
        # Parts up to 4 MiB reach the workflow, whose own limits (review.max_text_chars) answer with a clear error
        # on the episode page (where the browser puts the typing back); beyond that Starlette refuses outright.
        form = await request.form(max_fields=200, max_part_size=4 * 1024 * 1024)
        uploads = [key for key, value in form.multi_items() if isinstance(value, UploadFile)]
        if uploads:
            await form.close()
            raise HTTPException(400, f"file uploads are not accepted ({', '.join(sorted(set(uploads)))}): "
                                     "paste the words into the text box instead; nothing was saved")
        given = str(form.get("csrf") or request.headers.get("x-csrf-token") or "")
        if not hmac.compare_digest(given.encode(), self.csrf.encode()):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
        return form

    @staticmethod
    def version_of(request: Request, form: FormData) -> int:
        raw = str(form.get("version") or request.headers.get("if-match") or "").strip().strip('"').removeprefix("v")
        if not raw.isdigit():
            raise HTTPException(428, "this edit does not say which version it was based on (version field or If-Match)")
        return int(raw)

    @staticmethod
    def order_of(form: FormData, name: str = "base_order") -> list[str] | None:
        raw = str(form.get(name) or "").strip()
        ids = [part for part in raw.split(",") if part]
        if not ids:
            return None
        if not all(SEGMENT_ID.match(part) for part in ids):
            raise HTTPException(400, "a running order lists segment ids separated by commas")
        return ids

    def identity(self, request: Request | None) -> str | None:
        """The acting editor, if known: the token's editor, else the chosen name (when editors are configured)."""
        if request is None:
            return None
        named = request.scope.get("state", {}).get("token_editor")
        if named:
            return named
        if self.config.review.editors:
            chosen = request.cookies.get(EDITOR_COOKIE, "")
            return chosen if chosen in {e.name for e in self.config.review.editors} else None
        return workflow.editor_name(self.config)

    def editor(self, request: Request) -> str:
        name = self.identity(request)
        if name is None:
            raise ReviewError("choose who you are before editing", subject=None,
                              hint="pick your name in 'Editing as' at the top of the page (review.editors)")
        return name

    def no_job_running(self, day: Date, segment_id: str) -> None:
        """One job at a time per segment (a regenerate and a re-script of one segment would race)."""
        running = next((job for job in self.jobs.running(day) if job.segment == segment_id), None)
        if running is not None:
            raise ReviewError(f"this segment has a job running already ({running.kind})", subject=segment_id,
                              hint="wait for the running job to finish")

    def job_store(self) -> AbstractContextManager[Store]:
        """The show's state store for one background job (its own connection, in the job's thread), closed after."""
        from pipeline.store import open_store

        return closing(open_store(self.config.state_dir))

    def back(self, day: Date, notice: str, anchor: str | None = None, **query: str) -> RedirectResponse:
        params = urlencode({"notice": notice, **query})
        return RedirectResponse(f"/episodes/{day}?{params}" + (f"#{anchor}" if anchor else ""), status_code=303)

    @staticmethod
    def wants_json(request: Request) -> bool:
        return "application/json" in request.headers.get("accept", "")

    async def act(self, request: Request, action: Callable[[FormData, Date], Response]) -> Response:
        """Run one POST action with the checks and the error mapping every action shares."""
        day = self.day_of(request)
        form = await self.form(request)
        if not (self.config.episode_dir(day) / "episode.json").is_file():
            return self.error_page(EpisodeNotFoundError("no drafted episode for this date", subject=day.isoformat()),
                                   404, day, request)
        try:
            return action(form, day)
        except ConflictError as exc:
            if self.wants_json(request):
                return JSONResponse({"error": exc.message, "hint": exc.hint}, status_code=409)
            return self.conflict(exc, form, day, request)
        except EpisodeNotFoundError as exc:
            return self.error_page(exc, 404, day, request)
        except BriefcastError as exc:
            if self.wants_json(request):
                return JSONResponse({"error": str(exc), "hint": exc.hint}, status_code=422)
            return self.episode_page(day, request, status=422, error=exc)

    def conflict(self, exc: ConflictError, form: FormData, day: Date, request: Request) -> Response:
        episode = getattr(exc, "episode", None)
        segment = getattr(exc, "segment", None)
        mine = {name: str(form.get(name)) for name in ("title", "text", "script") if form.get(name) is not None}
        return self.page("conflict.html", 409, request, error=exc, day=day, episode=episode, segment=segment, mine=mine,
                         action=request.url.path, diff=getattr(exc, "diff", ""))

    # pages

    async def index(self, request: Request) -> Response:
        return self.page("list.html", request=request, episodes=workflow.list_episodes(self.config), notice=None)

    def episode_page(self, day: Date, request: Request, *, status: int = 200, error: BriefcastError | None = None,
                     notice: str | None = None, job: Job | None = None) -> Response:
        try:
            episode, problem = workflow.load_for_review(self.config, day, sync=False)  # a page load never writes
        except EpisodeNotFoundError as exc:
            return self.error_page(exc, 404, day, request)
        except ReviewError as exc:
            return self.error_page(exc, 422, day, request)
        folder = self.config.episode_dir(day)
        jobs = self.jobs.running(day) + ([job] if job and job.status != "running" else [])
        segments = [_segment_view(self.config, episode, segment, i, jobs) for i, segment in enumerate(episode.segments)]
        words = sum(len(s.script.split()) for s in episode.live_segments)
        audio_on = self.config.audio.enabled
        stale = stale_outputs(episode, audio=audio_on)
        response = self.page(
            "episode.html", status, request, episode=episode, segments=segments, error=error,
            notice=NOTICES.get(notice or ""),
            jobs=[j for j in jobs if not j.segment], job=job, words=words,
            minutes=round(words / 160, 1), has_newsletter=(folder / "newsletter.html").is_file(),
            has_audio=(folder / "episode.mp3").is_file(), review=self.config.review, problem=problem,
            stories=episode.stories, segment_ids=[s.id for s in episode.segments],
            order=",".join(s.id for s in episode.segments), content_hash=content_hash(episode),
            versions=",".join(f"{s.id}:{s.version}" for s in episode.segments),
            stale_newsletter="newsletter" in stale, stale_audio="audio" in stale and audio_on,
            stale_scripts=workflow.stale_scripts(episode), timeline=_timeline(episode),
        )
        response.headers["etag"] = f'"v{episode.version}"'
        return response

    async def episode(self, request: Request) -> Response:
        day = self.day_of(request)
        job = self.jobs.get(request.query_params.get("job", ""))
        return self.episode_page(day, request, notice=request.query_params.get("notice"), job=job)

    async def newsletter(self, request: Request) -> Response:
        day = self.day_of(request)
        path = self.config.episode_dir(day) / "newsletter.html"
        if not path.is_file():
            return PlainTextResponse("The newsletter has not been rendered yet: use 'Re-render'.", status_code=404)
        return HTMLResponse(path.read_text(encoding="utf-8"), headers={"content-security-policy": NEWSLETTER_CSP,
                                                                       "x-frame-options": "SAMEORIGIN"})

    async def audio(self, request: Request) -> Response:
        day = self.day_of(request)
        name = request.path_params["name"]
        if name != "episode":  # one MP3 per episode; a segment plays from its chapter
            raise HTTPException(404)
        path = self.config.episode_dir(day) / "episode.mp3"
        if not path.is_file():
            raise HTTPException(404, "no audio rendered yet")
        return FileResponse(path, media_type="audio/mpeg")

    async def job_status(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["job"])
        if job is None:
            return JSONResponse({"error": "no such job"}, status_code=404)
        return JSONResponse(job.public())

    async def whoami(self, request: Request) -> Response:
        """Loopback with review.editors: the editor picks their name (kept in a cookie); never a free-typed name."""
        form = await self.form(request)
        name = str(form.get("editor") or "")
        names = [e.name for e in self.config.review.editors]
        if name not in names:
            raise HTTPException(
                400, f"not one of this show's editors: choose one of {', '.join(names) or '(none set)'}"
            )
        back = str(form.get("back") or "/")
        target = back if back.startswith("/") and not back.startswith("//") else "/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(EDITOR_COOKIE, name, httponly=True, samesite="strict")
        return response

    # actions

    async def edit(self, request: Request) -> Response:
        segment_id = self.segment_of(request)

        def action(form: FormData, day: Date) -> Response:
            fields = {name: str(form[name]) for name in ("title", "text", "script") if name in form}
            before = self.version_of(request, form)
            episode = workflow.edit_segment(self.config, day, segment_id, base_version=before,
                                            editor=self.editor(request), **fields)
            return self.back(day, "saved" if episode.segment(segment_id).version != before else "unchanged",
                             f"seg-{segment_id}")

        return await self.act(request, action)

    async def meta(self, request: Request) -> Response:
        def action(form: FormData, day: Date) -> Response:
            workflow.edit_episode(self.config, day, title=str(form["title"]) if "title" in form else None,
                                  description=str(form["description"]) if "description" in form else None,
                                  base_version=self.version_of(request, form), editor=self.editor(request))
            return self.back(day, "saved")

        return await self.act(request, action)

    async def order(self, request: Request) -> Response:
        """The running order from drag, keys or buttons: JSON for the page's script, a redirect without it."""

        def action(form: FormData, day: Date) -> Response:
            order = self.order_of(form, "order")
            if order is None:
                raise ReviewError("no running order given", hint="send order=id,id,...")
            episode = workflow.reorder(self.config, day, order, base_order=self.order_of(form),
                                       editor=self.editor(request))
            if self.wants_json(request):
                return JSONResponse(self.state_of(episode))
            return self.back(day, "moved")

        return await self.act(request, action)

    def state_of(self, episode: Episode) -> dict[str, Any]:
        """What the page's script needs after an in-place change: order, hash and versions for approve, staleness."""
        return {"order": [s.id for s in episode.segments], "hash": content_hash(episode),
                "versions": ",".join(f"{s.id}:{s.version}" for s in episode.segments),
                "stale": stale_outputs(episode, audio=self.config.audio.enabled), "status": episode.status}

    async def segment_action(self, request: Request) -> Response:
        segment_id = self.segment_of(request)
        verb = request.path_params["verb"]
        calls: dict[str, tuple[Callable[..., Episode], str]] = {
            "drop": (workflow.drop_segment, "dropped"),
            "restore": (workflow.restore_segment, "restored"),
            "undo": (workflow.undo, "undone"),
            "accept": (workflow.accept_proposal, "accepted"),
            "keep-script": (workflow.mark_script_current, "script"),
        }

        def action(form: FormData, day: Date) -> Response:
            editor = self.editor(request)
            if verb in ("up", "down"):
                episode = workflow.move_segment(self.config, day, segment_id, -1 if verb == "up" else 1,
                                                base_order=self.order_of(form), editor=editor)
                if self.wants_json(request):
                    return JSONResponse(self.state_of(episode))
                return self.back(day, "moved", f"seg-{segment_id}")
            if verb == "discard":
                workflow.discard_proposal(self.config, day, segment_id, editor=editor)
                return self.back(day, "discarded", f"seg-{segment_id}")
            if verb not in calls:
                raise HTTPException(404)
            call, notice = calls[verb]
            call(self.config, day, segment_id, base_version=self.version_of(request, form), editor=editor)
            return self.back(day, notice, f"seg-{segment_id}")

        return await self.act(request, action)

    async def flag_action(self, request: Request) -> Response:
        segment_id = self.segment_of(request)
        flag_id = request.path_params["flag"]
        verb = request.path_params["verb"]

        def action(form: FormData, day: Date) -> Response:
            editor = self.editor(request)
            if verb == "resolve":
                workflow.resolve_flag(self.config, day, segment_id, flag_id, str(form.get("resolution", "")),
                                      str(form.get("note") or "") or None, editor=editor)
                return self.back(day, "resolved", f"seg-{segment_id}")
            if verb == "cite":
                raw = str(form.get("n") or "")
                if not raw.isdigit():
                    raise ReviewError("cite which source?", subject=raw, hint="send n=<source number>")
                workflow.cite_instead(self.config, day, segment_id, flag_id, int(raw),
                                      base_version=self.version_of(request, form), editor=editor)
                return self.back(day, "recited", f"seg-{segment_id}")
            if verb == "rewrite":
                workflow.rewrite_flagged(self.config, day, segment_id, flag_id, str(form.get("sentence") or ""),
                                         base_version=self.version_of(request, form), editor=editor)
                return self.back(day, "saved", f"seg-{segment_id}")
            raise HTTPException(404)

        return await self.act(request, action)

    async def story(self, request: Request) -> Response:
        story_id = request.path_params["story"]

        def action(form: FormData, day: Date) -> Response:
            editor = self.editor(request)
            verb = str(form.get("action", ""))
            if verb == "pin":
                workflow.pin_story(self.config, day, story_id, editor=editor)
            elif verb == "drop":
                workflow.drop_story(self.config, day, story_id, editor=editor)
            elif verb == "move":
                workflow.move_story(self.config, day, story_id, str(form.get("to", "")), editor=editor)
            else:
                raise ReviewError("unknown story action", subject=verb, hint="use pin, drop or move")
            return self.back(day, "story", "stories")

        return await self.act(request, action)

    async def draft(self, request: Request) -> Response:
        keep = request.path_params["keep"]
        if keep not in ("file", "app"):
            raise HTTPException(404)

        def action(form: FormData, day: Date) -> Response:
            workflow.resolve_draft(self.config, day, keep, editor=self.editor(request))
            return self.back(day, f"draft-{keep}")

        return await self.act(request, action)

    async def regenerate(self, request: Request) -> Response:
        segment_id = self.segment_of(request)

        def action(form: FormData, day: Date) -> Response:
            version, editor = self.version_of(request, form), self.editor(request)
            feedback = str(form.get("feedback") or "").strip()[:2000]
            force = form.get("force") in ("1", "on", "true")
            episode = workflow.load(self.config, day)
            segment = workflow._segment(episode, segment_id)
            # Check what can be checked now, so the editor hears "conflict" or "edited by a person" at once.
            if version != segment.version:
                raise workflow.stale_edit(episode, version, segment_id)
            self.no_job_running(day, segment_id)
            refuse_replacing_edits(segment, force=force,
                                   hint="tick 'replace the edit' to regenerate anyway (undo brings it back)")

            def work(job: Job) -> str | tuple[str, str]:
                job.phase = "the writer is drafting a new version"
                with self.job_store() as store:
                    result = workflow.regenerate(self.config, store, day, segment_id, feedback, force=force,
                                                 base_version=version, editor=editor)
                return ("done" if result.outcome == "applied" else result.outcome), result.message

            job = self.jobs.start("regenerate", day, work, segment=segment_id)
            return self.back(day, "", f"seg-{segment_id}", job=job.id)

        return await self.act(request, action)

    async def rescript(self, request: Request) -> Response:
        """Write a segment's script again from its text (a job, shown at the segment)."""
        segment_id = self.segment_of(request)

        def action(form: FormData, day: Date) -> Response:
            version, editor = self.version_of(request, form), self.editor(request)
            self.no_job_running(day, segment_id)

            def work(job: Job) -> str | tuple[str, str]:
                job.phase = "writing the script again from the text"
                with self.job_store() as store:
                    result = workflow.rederive_script(self.config, store, day, segment_id, base_version=version,
                                                      editor=editor)
                return ("done" if result.outcome == "applied" else result.outcome), result.message

            job = self.jobs.start("script", day, work, segment=segment_id)
            return self.back(day, "", f"seg-{segment_id}", job=job.id)

        return await self.act(request, action)

    async def rerender(self, request: Request) -> Response:
        def action(form: FormData, day: Date) -> Response:
            allow = form.get("allow_stale") in ("1", "on")

            def work(job: Job) -> str | tuple[str, str]:
                job.phase = "rendering the newsletter, then voicing changed segments"
                with self.job_store() as store:
                    results = workflow.rerender(self.config, store, day, allow_stale_scripts=allow)
                failed = [r for r in results if r.status == "failed"]
                notes = ", ".join(f"{r.stage}: {r.status}" for r in results)
                if failed:
                    causes = "; ".join(f.get("message", "") for r in failed for f in r.failures)
                    return "failed", f"re-render incomplete ({notes}): {causes}"
                return f"re-rendered ({notes})"
            job = self.jobs.start("render", day, work)
            return self.back(day, "", None, job=job.id)

        return await self.act(request, action)

    async def status(self, request: Request) -> Response:
        verb = request.path_params["verb"]

        def action(form: FormData, day: Date) -> Response:
            editor = self.editor(request)
            note = str(form.get("note") or "").strip()[:500] or None
            if verb == "approve":
                seen = workflow.Seen.parse(
                    str(form.get("hash") or ""), str(form.get("versions") or ""), str(form.get("meta_version") or "")
                )
                workflow.approve(
                    self.config,
                    day,
                    editor=editor,
                    override_flags=form.get("override_flags") in ("1", "on"),
                    note=note,
                    seen=seen,
                )
                return self.back(day, "approved")
            if verb == "reject":
                workflow.reject(self.config, day, editor=editor, note=note)
                return self.back(day, "rejected")
            if verb == "publish":

                def work(job: Job) -> str:
                    job.phase = "re-rendering what changed since the last render, then releasing"
                    with self.job_store() as store:
                        workflow.publish(self.config, day, editor=editor, store=store)
                    done = "published: the feed, archive and newsletter feed are rebuilt"
                    if self.config.deliver:  # publish delivered too: say how it went
                        from pipeline.deliver import last_delivery

                        sent = last_delivery(self.config, day)
                        if sent is not None:
                            problems = "; ".join(f"{f['subject']}: {f['message']}" for f in sent.failures[:5])
                            done += f"; delivery {sent.status}: " + ("; ".join(sent.notes) or "nothing to do")
                            done += f"; problems: {problems} (retry: briefcast deliver {day})" if problems else ""
                    return done

                job = self.jobs.start("publish", day, work)
                return self.back(day, "", None, job=job.id)
            raise HTTPException(404)

        return await self.act(request, action)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    app: App = request.app.state.review
    return app.page("error.html", exc.status_code, request, error={"message": exc.detail, "hint": None}, day=None)


def create_app(
    config: Config, *, host: str | None = None, port: int | None = None, token: str | None = None
) -> Starlette:
    """The review app as an ASGI application (``serve`` runs it; tests run it with uvicorn in a thread)."""
    host = host or config.review.host
    review = App(config, host=host, token=token)
    routes = [
        Route("/", review.index),
        Route("/episodes/{day}", review.episode),
        Route("/episodes/{day}/newsletter", review.newsletter),
        Route("/episodes/{day}/audio/{name}.mp3", review.audio),
        Route("/episodes/{day}/segments/{segment}/edit", review.edit, methods=["POST"]),
        Route("/episodes/{day}/segments/{segment}/regenerate", review.regenerate, methods=["POST"]),
        Route("/episodes/{day}/segments/{segment}/rescript", review.rescript, methods=["POST"]),
        Route("/episodes/{day}/segments/{segment}/flags/{flag}/{verb}", review.flag_action, methods=["POST"]),
        Route("/episodes/{day}/segments/{segment}/{verb}", review.segment_action, methods=["POST"]),
        Route("/episodes/{day}/stories/{story}", review.story, methods=["POST"]),
        Route("/episodes/{day}/render", review.rerender, methods=["POST"]),
        Route("/episodes/{day}/order", review.order, methods=["POST"]),
        Route("/episodes/{day}/meta", review.meta, methods=["POST"]),
        Route("/episodes/{day}/draft/{keep}", review.draft, methods=["POST"]),
        Route("/whoami", review.whoami, methods=["POST"]),
        Route("/episodes/{day}/{verb}", review.status, methods=["POST"]),
        Route("/jobs/{job}", review.job_status),
        Mount("/static", StaticFiles(directory=PACKAGE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.state.review = review
    # Loopback binds answer to the loopback names only; a wildcard bind cannot know its names and leans on the token.
    if is_loopback(host):
        allowed: set[str] | None = set(LOOPBACK_NAMES) | {host.lower().strip("[]")}  # 127.0.0.2 answers to itself
    elif host in ("0.0.0.0", "::", ""):
        allowed = None
    else:
        allowed = {host.lower()}
    guard_state = type("GuardState", (), {})()
    tokens: dict[str, str | None] = dict(editor_tokens(config)) if not is_loopback(host) else {}
    if token:
        tokens[token] = None
    guard_state.allowed_hosts, guard_state.port, guard_state.tokens = allowed, port, tokens
    app.state.guard = guard_state
    app.add_middleware(Guard, state=guard_state)
    return app


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ReviewError(f"cannot listen on {host}:{port}", subject=f"{host}:{port}",
                          hint="pick another port with --port (0 picks a free one)") from exc
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def editor_tokens(config: Config) -> list[tuple[str, str]]:
    """(token, editor name) for each of review.editors whose token variable is set."""
    import os

    out = []
    for spec in config.review.editors:
        token = os.environ.get(spec.token_env, "").strip() if spec.token_env else ""
        if token:
            out.append((token, spec.name))
    return out


def _check_tokens(config: Config, host: str) -> str | None:
    """Beyond loopback: the shared token (review.token_env) or every editor's own; returns the shared one."""
    import os

    shared = os.environ.get(config.review.token_env, "").strip() or None
    if config.review.editors:
        for spec in config.review.editors:
            value = os.environ.get(spec.token_env or "", "").strip() if spec.token_env else ""
            if len(value) < 16:
                raise ReviewError(
                    f"refusing to serve the review app on {host} (beyond this machine): editor {spec.name!r} has no "
                    "token of 16+ characters", subject=spec.name,
                    hint=f"give each of review.editors a token_env and set it (e.g. token_env: BRIEFCAST_TOKEN_"
                         f"{re.sub(r'[^A-Z0-9]', '_', spec.name.upper())}), or bind 127.0.0.1 and use an SSH tunnel")
        if shared and len(shared) < 16:
            raise ReviewError(f"{config.review.token_env} is shorter than 16 characters", subject=host,
                              hint="use a long random string, or unset it (each editor has their own token)")
        return shared
    if not shared or len(shared) < 16:
        raise ReviewError(
            f"refusing to serve the review app on {host} (beyond this machine) without a token",
            subject=host, hint=f"set {config.review.token_env} to a long random string (16+ characters), "
                               "or bind 127.0.0.1 and use an SSH tunnel",
        )
    return shared


def serve(config: Config, *, host: str | None = None, port: int | None = None, day: Date | None = None,
          announce: Callable[[str], None] = print) -> None:
    """Run the review app until interrupted; ``announce`` gets its URL (with the token, when one is needed)."""
    import uvicorn

    host = host or config.review.host
    port = config.review.port if port is None else port
    token = None if is_loopback(host) else _check_tokens(config, host)
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    app = create_app(config, host=host, port=bound_port, token=token)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound_port}/" + (f"episodes/{day}" if day else "")
    announce(url + (f"?token={token}" if token else ""))
    if not is_loopback(host) and config.review.editors:
        announce(f"each editor opens it with ?token=<their token> ({', '.join(e.name for e in config.review.editors)})")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    server.run(sockets=[sock])


__all__ = ["create_app", "serve", "is_loopback", "Jobs"]
