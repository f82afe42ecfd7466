"""The things that pass between stages: Item -> Story -> Segment -> Episode.

Every stage takes and returns these; they are also what ``episode.json`` holds (``Episode`` is its root).

Citations are written inline in a segment's ``text`` and ``script`` as ``[n]`` markers, where ``n`` is the
``SourceRef.n`` of one of the segment's ``sources``. One representation serves the model's output, the editor's
``draft.md``, the grounding check and the newsletter's links, so an edit never separates a claim from its source.
"""

from __future__ import annotations

import re
from datetime import date as Date
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1

CITATION = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")


def citation_numbers(group: str) -> list[int]:
    """The source numbers of one citation's inside ('1, 3' of '[1, 3]')."""
    return [int(n) for n in re.split(r"\s*,\s*", group.strip())]


def cited(text: str) -> list[int]:
    """Every source number ``text`` cites, in order (the one citation parser: ``CITATION`` plus this)."""
    return [n for group in CITATION.findall(text) for n in citation_numbers(group)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Item(Model):
    """One feed entry, sanitized. ``id`` is stable across fetches and outlets' tracking parameters."""

    id: str
    source: str  # the source's name in config.yaml
    feed_url: str
    url: str | None = None
    guid: str | None = None
    title: str
    published: datetime  # UTC; fetch time when the feed gave none or a bad one, clamped when in the future
    fetched: datetime
    first_seen: datetime | None = None
    authors: list[str] = []
    tags: list[str] = []
    summary_html: str = ""  # sanitized with nh3: safe to show
    summary_text: str = ""
    content_html: str = ""
    content_text: str = ""  # the article's text (feed content, or extracted full text)
    source_kind: str = "other"
    source_weight: float = 1.0
    language: str | None = None  # BCP 47 primary tag ("en", "de") from the entry or feed, else detected; None = unknown

    @property
    def text(self) -> str:
        """The fullest plain text we have."""
        return self.content_text or self.summary_text


class StorySource(Model):
    """One outlet's report of a story."""

    item_id: str
    outlet: str
    title: str
    url: str | None = None
    published: datetime
    excerpt: str = ""  # plain text, the start of the item's text
    superseded_by: str | None = None  # item id of a later report in this story that reverses/corrects this one


class Story(Model):
    """One event, however many outlets reported it."""

    id: str  # stable: derived from the earliest item's id
    title: str
    published: datetime  # earliest report
    sources: list[StorySource]
    score: float = 0.0
    score_terms: dict[str, float] = {}  # each ranking term's contribution, shown to editors
    segment: str | None = None  # segment id, None when it made no segment
    topics: list[str] = []
    follow_up_of: str | None = None  # "<episode date>/<story id>" of the earlier coverage
    updates: list[str] = []  # ids of same-window stories this one supersedes (merged into it; their sources kept)
    pinned: bool = False
    language: str | None = None

    @property
    def outlets(self) -> list[str]:
        return sorted({source.outlet for source in self.sources})


class Rundown(Model):
    """Curate's output: the day's stories in rank order, each assigned to at most one segment."""

    schema_version: int = SCHEMA_VERSION
    date: Date
    stories: list[Story]
    segments: dict[str, list[str]]  # segment id -> story ids, in order; only segments with material
    overrides: dict[str, str] = {}  # story id -> segment id, "drop" or "pin" (editor overrides, fed back in)
    item_count: int = 0
    notes: list[str] = []


class SourceRef(Model):
    """A numbered source a segment cites as ``[n]``."""

    n: int
    story_id: str
    item_id: str
    outlet: str
    title: str
    url: str | None = None


FlagKind = Literal[
    "uncited", "unsupported_number", "unsupported_entity", "unsupported_quote", "unknown_citation", "length", "other",
    "unsupported_date", "unsupported_attribution", "wrong_source", "fragment", "first_person", "verbatim",
    "repetition", "thin_source", "unverified", "script_adds", "superseded", "stale_script",
]
FlagSeverity = Literal["high", "medium", "low"]


class Flag(Model):
    """A doubt about one sentence, for the editor."""

    id: str
    kind: FlagKind
    field: Literal["text", "script"] = "text"
    sentence: str
    span: str = ""
    message: str
    severity: FlagSeverity = "medium"
    evidence: str = ""  # the source excerpt that bears on the claim; empty when no source has it
    suggest: list[int] = []  # source numbers where the claim is found instead ("cite [k] instead")
    resolved: bool = False
    resolution: Literal["fixed", "accepted"] | None = None
    note: str | None = None
    resolved_by: str | None = None


class SegmentVersion(Model):
    """A previous version of a segment, kept so an editor can diff and undo."""

    title: str
    text: str
    script: str
    at: datetime
    by: str  # "model" or the editor's name
    reason: str = ""
    version: int | None = None  # the segment's version while it held these words (None in older files)
    flags: list[Flag] | None = None  # its flags then, restored by undo (None in older files: re-checked instead)
    script_stale: bool = False
    status: str | None = None  # the segment's status then (drafted/dropped/failed), None in older files


class Proposal(Model):
    """A regenerate result that arrived after the segment had changed: kept for the editor to accept or discard."""

    title: str
    text: str
    script: str
    sources: list[SourceRef] = []
    story_ids: list[str] = []
    flags: list[Flag] = []
    model: str | None = None
    prompt_hash: str | None = None
    base_version: int  # the segment version the regenerate started from
    at: datetime
    by: str
    reason: str = ""


SegmentStatus = Literal["drafted", "failed", "dropped"]


class Segment(Model):
    id: str  # the segment spec's id from config.yaml; cold_open and sign_off have their own
    kind: str
    title: str
    story_ids: list[str] = []
    sources: list[SourceRef] = []
    text: str = ""  # newsletter Markdown with [n] citations
    script: str = ""  # spoken script, written to be read aloud
    flags: list[Flag] = []
    status: SegmentStatus = "drafted"
    error: str | None = None
    edited_by_human: bool = False
    version: int = 1  # bumped on every change of this segment; edits of other segments never conflict with it
    script_stale: bool = False  # the text changed after the script was written: re-derive or edit before voicing
    history: list[SegmentVersion] = []
    target_words: int = 0
    prompt_hash: str | None = None
    model: str | None = None
    audio_hash: str | None = None  # cache key of the last synthesis of this segment's script
    proposal: Proposal | None = None  # a regenerate result waiting for the editor (its base moved meanwhile)

    @property
    def citations(self) -> set[int]:
        return set(cited(self.text))

    def source(self, n: int) -> SourceRef | None:
        return next((ref for ref in self.sources if ref.n == n), None)


def refuse_replacing_edits(segment: Segment, *, force: bool,
                           hint: str = "tick 'replace the edit' (or pass force=True); undo brings it back") -> None:
    """Human edits win: regenerating a segment an editor changed is refused unless ``force`` (the one check the
    draft stage, the review workflow and the review app all make; each surface says how to force it)."""
    if segment.edited_by_human and not force:
        from pipeline.errors import ReviewError

        raise ReviewError("this segment was edited by a person; regenerating would replace their words",
                          subject=segment.id, hint=hint)


EpisodeStatus = Literal["drafted", "approved", "published", "rejected"]


class Transition(Model):
    status: EpisodeStatus
    by: str
    at: datetime
    note: str | None = None


class Approval(Model):
    """What an editor approved: the exact versions and a hash of the words that go out."""

    by: str
    at: datetime
    content_hash: str  # pipeline.fingerprint.content_hash of the episode as approved
    versions: dict[str, int] = {}  # segment id -> segment version, for every segment (dropped ones too)
    meta_version: int = 1  # the episode-level fields' version (title, description)
    order: list[str] = []
    note: str | None = None
    over_flags: int = 0  # open flags the editor approved over


class Chapter(Model):
    segment_id: str
    title: str
    start: float  # seconds
    end: float


class AudioInfo(Model):
    path: str = "episode.mp3"
    duration: float
    bytes: int
    chapters: list[Chapter] = []
    loudness_lufs: float | None = None
    true_peak_dbtp: float | None = None


class Provenance(Model):
    model: str | None = None
    backend: str | None = None
    prompts: dict[str, str] = {}  # prompt file -> sha256 of its text
    briefcast: str = "0.1.0"


class Episode(Model):
    """The source of truth for one day's show: ``episodes/<date>/episode.json``."""

    schema_version: int = SCHEMA_VERSION
    date: Date
    show: str
    status: EpisodeStatus = "drafted"
    version: int = 1  # bumped on every change (the app's ETag); edits carry their segment's own version
    meta_version: int = 1  # bumped when an episode-level field (title, description) changes
    title: str = ""
    description: str = ""
    meta_flags: list[Flag] = []  # doubts about the title and description (checked against the segments' text)
    editor_note: str = ""  # an editor's note kept from above draft.md's first section; never published
    approval: Approval | None = None  # set by approve, cleared by any content change after it
    rendered: dict[str, str] = {}  # output ("newsletter", "audio") -> fingerprint of the content it was rendered from
    segments: list[Segment] = []  # in running order, cold open first and sign-off last
    stories: list[Story] = []
    history: list[Transition] = []
    provenance: Provenance = Provenance()
    audio: AudioInfo | None = None
    created: datetime | None = None
    updated: datetime | None = None
    published_at: datetime | None = None

    def segment(self, segment_id: str) -> Segment:
        for segment in self.segments:
            if segment.id == segment_id:
                return segment
        raise KeyError(segment_id)

    def story(self, story_id: str) -> Story | None:
        return next((story for story in self.stories if story.id == story_id), None)

    @property
    def live_segments(self) -> list[Segment]:
        """Segments that go out: drafted, not dropped or failed."""
        return [segment for segment in self.segments if segment.status == "drafted"]

    @property
    def open_flags(self) -> list[Flag]:
        return [flag for segment in self.live_segments for flag in segment.flags if not flag.resolved]


_URL = re.compile(r"""\b(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?:[^\s/@'"<>]*@)?(?P<host>[^\s/?#'"<>]+)(?P<rest>[^\s'"<>)\]]*)""")
_SECRETS = re.compile(
    r"(?P<label>)\b(?:sk|pk|rk|xox[abposr]|ghp|gho|github_pat|glpat)[-_][A-Za-z0-9_-]{8,}"  # keys by their prefix
    r"|(?P<auth>(?i:\b(?:bearer|basic)\s+))[A-Za-z0-9._~+/=-]{8,}"  # an Authorization header's value
    r"|(?P<key>(?i:\b(?:api[_-]?key|access[_-]?token|token|secret|password|passwd)\s*[=:]\s*))[^\s&,;'\"]+"
)
_SECRET_ENV = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|AUTH", re.IGNORECASE)


def scrub(text: str, *, urls: bool = True) -> str:
    """``text`` fit for run.json and the terminal: URLs cut to scheme and host, keys and passwords replaced.

    A webhook URL carries its secret in the path, a feed URL may carry a token in its query, an SDK error may echo
    an API key: none of it may reach a report. The values of environment variables whose names look secret
    (``*_KEY``, ``*_TOKEN``, ``*PASSWORD``...) are replaced wherever they appear. ``urls=False`` keeps URLs whole
    apart from their user info and query (a failure's subject names the feed it concerns)."""
    import os

    for name, value in os.environ.items():
        if len(value) >= 8 and _SECRET_ENV.search(name) and value in text:
            text = text.replace(value, f"[${name}]")

    def url(match: re.Match[str]) -> str:
        if urls:
            return match["scheme"] + match["host"] + ("/…" if match["rest"] else "")
        return match["scheme"] + match["host"] + match["rest"].split("?", 1)[0].split("#", 1)[0]

    text = _URL.sub(url, text)
    return _SECRETS.sub(lambda m: (m["auth"] or m["key"] or "") + "[secret]", text)


class Failure(Model):
    """One thing that went wrong in a stage: what it concerns, what kind, the message and how to fix it.

    Every text field is scrubbed (``scrub``) when the failure is made, so no URL path or secret reaches run.json.
    ``failure["message"]`` and ``failure.get("hint")`` still read like the dicts run.json held before."""

    subject: str = ""
    kind: str = "error"
    message: str = ""
    hint: str | None = None

    @field_validator("message", "hint")
    @classmethod
    def _scrubbed(cls, value: str | None) -> str | None:
        return None if value is None else scrub(str(value))

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        return scrub(str(value), urls=False)

    @classmethod
    def of(cls, exc: BaseException, subject: str = "") -> Failure:
        """From an exception: a BriefcastError's subject, kind and hint are kept."""
        return cls(subject=getattr(exc, "subject", None) or subject, kind=getattr(exc, "kind", None) or "error",
                   message=str(exc), hint=getattr(exc, "hint", None))

    def __getitem__(self, key: str) -> str | None:
        value: str | None = getattr(self, key)
        return value

    def get(self, key: str, default: str | None = None) -> str | None:
        value = getattr(self, key, None)
        return default if value is None else value


class LLMUsage(Model):
    """The draft stage's model use in run.json (``llm``)."""

    calls: float = 0
    cache_hits: float = 0
    tokens_in: float = 0
    tokens_out: float = 0
    cost_usd: float = 0.0
    flags: float = 0


class TTSUsage(Model):
    """The audio stage's speech synthesis in run.json (``tts``)."""

    characters: float = 0
    segments_synthesized: float = 0
    cache_hits: float = 0
    audio_minutes: float = 0.0


class StageResult(Model):
    """One stage's line in the run report."""

    stage: str
    status: Literal["done", "skipped", "failed", "partial"] = "done"
    seconds: float = 0.0
    counts: dict[str, float] = {}
    failures: list[Failure] = []
    notes: list[str] = []


class RunReport(Model):
    """``run.json``: what one run did, per stage."""

    schema_version: int = SCHEMA_VERSION
    date: Date
    started: datetime
    finished: datetime | None = None
    status: Literal["running", "done", "failed"] = "running"
    stages: list[StageResult] = Field(default_factory=list)
    llm: LLMUsage = LLMUsage()  # an older run.json's partial dict reads with zeros for what it lacks
    tts: TTSUsage = TTSUsage()
    message: str | None = None
