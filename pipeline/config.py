"""config.yaml -> validated settings.

Every model forbids unknown keys, so a typo is an error and not silently ignored. ``load_config`` turns
pydantic's errors into one `ConfigError` that names the file, the key path, what was wrong and the fix.
Each stage owns one section (``ingest``, ``curate``, ``segments``, ``llm``, ``tts``, ``audio``, ``review``,
``publish``, ``notify``); a section's defaults are the reference show's.
"""

from __future__ import annotations

import os
from datetime import date as Date
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.errors import ConfigError
from pipeline.kinds import KINDS

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
SAMPLES_DIR = PROJECT_DIR / "samples"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class Owner(Strict):
    name: str
    email: str

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if "@" not in value or value.startswith("@") or value.endswith("@"):
            raise ValueError("must be an email address such as editor@example.com")
        return value


# Apple Podcasts' category list (the feed validators check against it): category -> its subcategories.
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden", "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News", "Daily News", "Entertainment News", "News Commentary", "Politics", "Sports News", "Tech News",
    ),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality"),
    "Science": (
        "Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics", "Natural Sciences", "Nature",
        "Physics", "Social Sciences",
    ),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"),
    "Sports": (
        "Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey", "Rugby", "Running",
        "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness", "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}  # fmt: skip


class ShowInfo(Strict):
    title: str
    description: str
    host: str
    language: str = "en"
    artwork: str = "assets/artwork.png"
    owner: Owner
    timezone: str = "UTC"
    explicit: bool = False
    category: str = "Technology"  # one of Apple's podcast categories (APPLE_CATEGORIES)
    subcategory: str | None = None  # only where Apple lists one under the category (Technology has none)
    copyright: str | None = None

    @model_validator(mode="after")
    def _apple_category(self) -> ShowInfo:
        if self.category not in APPLE_CATEGORIES:
            raise ValueError(
                f"category {self.category!r} is not one of Apple's podcast categories; use one of: "
                + ", ".join(APPLE_CATEGORIES)
            )
        allowed = APPLE_CATEGORIES[self.category]
        if self.subcategory is not None and self.subcategory not in allowed:
            choices = f"one of: {', '.join(allowed)}" if allowed else "none (remove show.subcategory)"
            raise ValueError(
                f"subcategory {self.subcategory!r} is not listed under {self.category!r} by Apple; use {choices}"
            )
        return self

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as 'Europe/Paris' or 'UTC'") from exc
        return value


class Site(Strict):
    base_url: str = "https://example.com/briefcast/"

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (it is where the feed and MP3s are served from)")
        return value if value.endswith("/") else value + "/"


SourceKind = Literal["blog", "arxiv", "github", "press", "policy", "aggregator", "newsletter", "podcast", "other"]


class Source(Strict):
    name: str
    url: str
    kind: SourceKind = "other"
    weight: float = Field(1.0, ge=0, le=10)
    tags: list[str] = []
    full_text: bool | Literal["auto"] | None = None  # None: follow ingest.full_text
    enabled: bool = True
    spoken_name: str | None = None  # how the host says the outlet ("Forge's release notes on GitHub")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://", "/")):
            raise ValueError("feeds are fetched over http or https only; write the full https:// URL")
        return value


class IngestSettings(Strict):
    concurrency: int = Field(20, ge=1, le=200)
    per_host: int = Field(10, ge=1, le=100)
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(15.0, gt=0)
    deadline: float = Field(30.0, gt=0, description="overall seconds per feed, whatever the server does")
    max_bytes: int = Field(15 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(5, ge=0, le=20)
    allow_private_networks: bool = False
    full_text: bool | Literal["auto"] = Field(
        "auto", description="fetch the linked article: true for every teaser, auto only for thin items, false never"
    )
    full_text_limit: int = Field(40, ge=0, description="most article pages fetched per run")
    parse_workers: int = Field(2, ge=1, le=16, description="worker processes that parse feeds")
    parse_memory_mb: int = Field(1024, ge=128, description="address space one parser process may use")
    max_item_chars: int = Field(100_000, ge=1000, description="longest summary or content kept per item")
    window_hours: float = Field(36.0, gt=0, description="items older than this before the episode date are ignored")
    user_agent: str = "briefcast/0.1 (+https://github.com/briefcast/briefcast)"


class CurateWeights(Strict):
    outlets: float = 1.0
    source_weight: float = 0.6
    recency: float = 0.8
    boost: float = 1.0
    novelty: float = 0.7


class TopicRule(Strict):
    keywords: list[str]
    weight: float = 1.0


class Mutes(Strict):
    keywords: list[str] = []
    sources: list[str] = []


class CurateSettings(Strict):
    similarity_threshold: float = Field(0.25, gt=0, lt=1)
    weights: CurateWeights = CurateWeights()
    boosts: list[TopicRule] = []
    mutes: Mutes = Mutes()
    max_stories: int = Field(40, ge=1)
    memory_days: int = Field(7, ge=0, description="how far back earlier episodes count as already covered")
    max_per_outlet: int = Field(3, ge=0, description="most placed stories that only one outlet reports; 0 = no cap")
    other_languages: Literal["drop", "translate"] = "drop"  # items not in show.language: left out, or kept and
    # marked (Story.language) for the writer to translate


SegmentKind = str  # a name in pipeline.kinds.KINDS (checked below)


class SegmentSpec(Strict):
    id: str
    title: str
    kind: SegmentKind
    min_stories: int = Field(0, ge=0)
    max_stories: int = Field(0, ge=0)
    topics: list[str] = []
    source_kinds: list[SourceKind] = []
    target_words: int = Field(200, ge=10)
    minutes: float | None = Field(None, gt=0, le=60, description="spoken length; sets target_words from the voice's "
                                  "measured words per minute (tts.words_per_minute)")
    prompt: str | None = None  # prompt file name in prompts/; default: <kind>.j2

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"unknown segment kind {value!r}; use one of: {', '.join(KINDS)}")
        return value

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not value.replace("-", "").replace("_", "").isalnum():
            raise ValueError("use letters, digits, '-' and '_' only (it names files and URLs)")
        return value


class Price(Strict):
    input_per_mtok: float = 0.0
    output_per_mtok: float = 0.0


# A name registered in pipeline.registry.LLM (built in: local, openai, compatible; plugins add more).
LLMBackend = str


def _llm_backend(value: str | None) -> str | None:
    from pipeline.registry import LLM

    return value if value is None else LLM.validate(value)


class LocalModel(Strict):
    model: Literal["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b"] = "qwen2.5-coder-1.5b"
    n_ctx: int = Field(4096, ge=512)
    threads: int = Field(2, ge=1)
    startup_timeout: float = Field(180.0, gt=0)
    grammar_first: bool = Field(True, description="check the sampled token against the JSON grammar before masking "
                                                    "the whole vocabulary (pipeline/draft/llama_serve.py)")
    copy_guard: int = Field(9, ge=0, description="words in a row of a source the embedded model is not let to copy "
                                                  "as it writes (outside quotes); 0 turns the guard off")


class Budget(Strict):
    max_tokens: int | None = Field(None, ge=1)
    max_cost_usd: float | None = Field(None, ge=0)


class LLMSettings(Strict):
    backend: LLMBackend = "local"
    options: dict[str, Any] = Field({}, description="the backend's own options, checked against its options model")
    model: str = "local"
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    local: LocalModel = LocalModel()
    temperature: float = Field(0.3, ge=0, le=2)
    max_tokens: int = Field(900, ge=64)
    max_input_tokens: int = Field(2500, ge=256)
    concurrency: int = Field(1, ge=1, le=32)
    timeout: float = Field(300.0, gt=0, description="overall seconds per call, retries included")
    budget: Budget = Budget()
    prices: dict[str, Price] = {}

    @field_validator("backend")
    @classmethod
    def _registered(cls, value: str) -> str:
        return _llm_backend(value) or value

    @model_validator(mode="after")
    def _backend(self) -> LLMSettings:
        if self.options:
            from pipeline.registry import LLM

            LLM.get(self.backend).parse_options(self.options)
        if self.backend == "compatible" and not self.base_url:
            raise ValueError("backend 'compatible' needs base_url, e.g. http://localhost:11434/v1 for Ollama")
        return self


class VerifySettings(Strict):
    """The semantic check (pipeline/draft/verify.py): a model reads each sentence beside its cited excerpts.

    Unset fields follow ``llm``: by default the drafting model checks its own work (the embedded one); point
    ``backend``/``model``/``base_url`` at a stronger model to check with that instead."""

    enabled: bool = True
    on_edit: bool = Field(False, description="also after an editor's edit; the review app waits only seconds, "
                                             "so for a fast (remote) verifier")
    backend: LLMBackend | None = None
    model: str | None = None  # backend local: a local model name (qwen2.5-coder-0.5b, ...); others: the API's model
    base_url: str | None = None
    api_key_env: str | None = None
    max_tokens: int = Field(500, ge=64, description="answer bound per call (a verdict per sentence)")
    excerpt_tokens: int = Field(600, ge=100, description="source text shown per call, shared by its sources")
    sentences_per_call: int = Field(6, ge=1, le=12)

    @field_validator("backend")
    @classmethod
    def _registered(cls, value: str | None) -> str | None:
        return _llm_backend(value)

    @model_validator(mode="after")
    def _backend(self) -> VerifySettings:
        if self.backend == "compatible" and not self.base_url:
            raise ValueError("verify.backend 'compatible' needs verify.base_url")
        return self


# A name registered in pipeline.registry.TTS (built in: piper, openai, espeak; plugins add more).
TTSBackend = str


class Voice(Strict):
    backend: TTSBackend = "piper"
    options: dict[str, Any] = Field({}, description="the backend's own options, checked against its options model")
    voice: str = "joe"
    model: str | None = None  # openai: tts-1, gpt-4o-mini-tts ...
    speed: float = Field(1.0, gt=0.25, le=4)
    pitch: float = Field(1.0, gt=0.5, le=2, description="1.0 = unchanged; 0.84 gives a second, lower host")
    instructions: str | None = None

    @field_validator("backend")
    @classmethod
    def _registered(cls, value: str) -> str:
        from pipeline.registry import TTS

        return TTS.validate(value)

    @model_validator(mode="after")
    def _options(self) -> Voice:
        if self.options:
            from pipeline.registry import TTS

            TTS.get(self.backend).parse_options(self.options)
        return self


class TTSSettings(Strict):
    host: Voice = Voice()
    cohost: Voice | None = None
    lexicon: dict[str, str] = {}
    say_as_words: list[str] = []  # all-capital words said as a word (the rest are spelled: "AWQ" -> "A-W-Q")
    # The host voice's speaking rate over speech (measured: the bundled piper voice ~141; `python -m bench spoken`).
    words_per_minute: float = Field(141.0, ge=60, le=260)
    api_key_env: str = "OPENAI_API_KEY"
    base_url: str | None = None
    timeout: float = Field(120.0, gt=0)


class AudioSettings(Strict):
    bitrate: str = Field("64k", pattern=r"^\d{2,3}k$")  # mono speech: 64k is plenty (128k doubles every download)
    sample_rate: int = 44100
    loudness: float = Field(-16.0, ge=-30, le=-9)
    true_peak: float = Field(-1.5, ge=-9, le=0)
    gap_ms: int = Field(600, ge=0, le=5000)
    intro: str | None = None  # None: the built-in sting
    outro: str | None = None
    bed: str | None = None
    bed_db: float = Field(-20.0, ge=-40, le=-6)  # the bed's loudness relative to the speech, LU
    bed_under_show: bool = False  # the bed under every segment, not only the cold open and sign-off
    sting_db: float = Field(0.0, ge=-20, le=1.0)  # the stings' loudness relative to the speech, LU (at most +1)
    enabled: bool = True


class EditorSpec(Strict):
    """One named editor of the review app; ``token_env`` names the variable holding their token off loopback."""

    name: str = Field(min_length=1, max_length=60)
    token_env: str | None = None


class ReviewSettings(Strict):
    required: bool = True
    editor: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(8765, ge=0, le=65535)
    token_env: str = "BRIEFCAST_REVIEW_TOKEN"
    # The people who may edit in the review app (a name, or {name, token_env}); empty: the editor is
    # review.editor / $BRIEFCAST_EDITOR / $USER. When set, the app asks who is acting and records that name.
    editors: list[EditorSpec] = []
    max_text_chars: int = Field(20_000, ge=200, le=500_000)  # one segment's text or script
    max_title_chars: int = Field(200, ge=10, le=2_000)
    # How long an edit waits for its claim check (grounding, and the semantic check when verify.on_edit); past it
    # the edit is saved with one "unverified" flag.
    recheck_seconds: float = Field(8.0, ge=0.5, le=600)

    @field_validator("editors", mode="before")
    @classmethod
    def _editor_names(cls, value: Any) -> Any:
        if isinstance(value, list):
            value = [{"name": item} if isinstance(item, str) else item for item in value]
            names = [item.get("name") for item in value if isinstance(item, dict)]
            if len(set(names)) != len(names):
                raise ValueError("each editor is listed once (two entries have the same name)")
        return value


class Webhook(Strict):
    url: str
    format: Literal["slack", "discord", "json"] = "json"


class Email(Strict):
    host: str
    port: int = 587
    sender: str
    to: list[str]
    username_env: str | None = None
    password_env: str | None = None
    starttls: bool = True


class NotifySettings(Strict):
    webhooks: list[Webhook] = []
    email: Email | None = None
    review_url: str | None = None


class DeliverTarget(Strict):
    """One place an approved episode goes on publish (``deliver:`` in config.yaml); ``type`` picks the backend."""

    name: str | None = None  # how the report and the deliveries table call it; default: its type
    enabled: bool = True

    @property
    def label(self) -> str:
        return self.name or self.type  # type: ignore[attr-defined]

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not value.replace("-", "").replace("_", "").isalnum():
            raise ValueError("use letters, digits, '-' and '_' only (it names the target in the deliveries table)")
        return value


class SmtpTarget(DeliverTarget):
    """The newsletter by SMTP, one message per recipient from a recipients file (small lists)."""

    type: Literal["smtp"]
    host: str
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    ca_file: str | None = None  # PEM file of a private CA that signed the server's certificate
    username_env: str | None = None  # names of environment variables, never the values
    password_env: str | None = None
    sender: str  # "The AI Daily Brief <brief@example.com>"
    reply_to: str | None = None  # default: show.owner.email
    recipients: str = "subscribers.txt"  # one address a line ('#' comments), or a .csv with an email column
    suppress: str | None = None  # addresses never to mail (unsubscribed, bounced): same formats as recipients
    unsubscribe_url: str | None = None  # https URL; {email} is replaced by the recipient's address
    unsubscribe_mailto: str | None = None  # default: the sender's address
    max_recipients: int = Field(5000, ge=1, description="above this, use a mailing service (buttondown, listmonk)")
    timeout: float = Field(30.0, gt=0)
    retry_delays: list[float] = Field([5.0, 30.0, 120.0], description="waits before retrying 4xx answers (greylisting)")
    max_per_second: float | None = Field(None, gt=0, description="pace for relays that throttle (SES: 14)")
    per_connection: int = Field(100, ge=1, description="messages before a fresh connection (servers cap sessions)")

    @field_validator("sender", "reply_to")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and "@" not in value:
            raise ValueError("must be an email address such as brief@example.com or 'Name <brief@example.com>'")
        return value

    @field_validator("unsubscribe_url")
    @classmethod
    def _unsubscribe(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be an https:// URL (mail clients show a one-click unsubscribe for it)")
        return value


class ButtondownTarget(DeliverTarget):
    """The newsletter through Buttondown's API: a draft to send from Buttondown, or sent at once."""

    type: Literal["buttondown"]
    api_key_env: str = "BUTTONDOWN_API_KEY"
    mode: Literal["draft", "send"] = "draft"
    base_url: str = "https://api.buttondown.com/v1"
    timeout: float = Field(30.0, gt=0)
    retries: int = Field(3, ge=0, le=10)


class ListmonkTarget(DeliverTarget):
    """The newsletter as a listmonk campaign: left as a draft, or started."""

    type: Literal["listmonk"]
    url: str  # the instance, e.g. https://lists.example.com
    lists: list[int] = Field(min_length=1)
    username_env: str = "LISTMONK_API_USER"
    token_env: str = "LISTMONK_API_TOKEN"
    mode: Literal["draft", "send"] = "draft"
    from_email: str | None = None  # default: listmonk's own setting
    template_id: int | None = None
    timeout: float = Field(30.0, gt=0)
    retries: int = Field(3, ge=0, le=10)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be the instance's address, e.g. https://lists.example.com")
        return value.rstrip("/")


class FolderTarget(DeliverTarget):
    """The published files in a folder a web server serves; without a path, episodes/ itself (nothing to copy)."""

    type: Literal["folder"]
    path: str | None = None


class S3Target(DeliverTarget):
    """The published files in an S3-compatible bucket (AWS, Cloudflare R2, Backblaze B2, MinIO)."""

    type: Literal["s3"]
    bucket: str
    prefix: str = ""  # key prefix, e.g. "ai-daily-brief/"
    endpoint_url: str | None = None  # R2, B2, MinIO; None: AWS
    region: str = "us-east-1"
    access_key_env: str = "AWS_ACCESS_KEY_ID"
    secret_key_env: str = "AWS_SECRET_ACCESS_KEY"
    acl: Literal["public-read"] | None = None  # R2 and most buckets with a public policy need none
    feed_max_age: int = Field(300, ge=0, description="seconds apps may cache feed.xml and newsletter.xml")
    page_max_age: int = Field(600, ge=0)
    media_max_age: int = Field(30 * 86400, ge=0, description="MP3s, artwork, transcripts, chapters")
    timeout: float = Field(60.0, gt=0)

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        value = value.strip("/")
        return value + "/" if value else ""


DeliverSpec = Annotated[SmtpTarget | ButtondownTarget | ListmonkTarget | FolderTarget | S3Target,
                        Field(discriminator="type")]


class ScheduleSettings(Strict):
    """When the daily run starts, in the show's time zone (Dagster schedules; ``briefcast schedule`` prints it)."""

    at: str = "05:30"

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        import re

        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("write the time of day as HH:MM (24-hour), e.g. '05:30'")
        return value


class Config(Strict):
    show: ShowInfo
    site: Site = Site()
    sources: list[Source]
    ingest: IngestSettings = IngestSettings()
    curate: CurateSettings = CurateSettings()
    segments: list[SegmentSpec]
    llm: LLMSettings = LLMSettings()
    verify: VerifySettings = VerifySettings()
    tts: TTSSettings = TTSSettings()
    audio: AudioSettings = AudioSettings()
    review: ReviewSettings = ReviewSettings()
    notify: NotifySettings = NotifySettings()
    deliver: list[DeliverSpec] = []
    schedule: ScheduleSettings = ScheduleSettings()

    # Not from the file: where the file lives; state and episodes are kept beside it.
    root: Path = Field(default=Path("."), exclude=True)
    path: Path = Field(default=Path("config.yaml"), exclude=True)

    @model_validator(mode="after")
    def _unique(self) -> Config:
        seen: set[str] = set()
        for segment in self.segments:
            if segment.id in seen:
                raise ValueError(f"segment id {segment.id!r} is used twice; give each segment its own id")
            seen.add(segment.id)
        return self

    @model_validator(mode="after")
    def _length_by_clock(self) -> Config:
        """Word targets from minutes at the voice's own rate: the bundled voice speaks ~141 words a minute."""
        for segment in self.segments:
            if segment.minutes is not None:
                segment.target_words = max(10, round(segment.minutes * self.tts.words_per_minute))
        return self

    @model_validator(mode="after")
    def _targets(self) -> Config:
        names = [target.label for target in self.deliver]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"deliver: two targets are called {name!r}; give each its own name (name: ...)")
        return self

    @property
    def state_dir(self) -> Path:
        return self.root / ".briefcast"

    @property
    def episodes_dir(self) -> Path:
        return self.root / "episodes"

    @property
    def prompts_dir(self) -> Path:
        own = self.root / "prompts"
        return own if own.is_dir() else PROJECT_DIR / "prompts"

    def episode_dir(self, day: Date) -> Path:
        return self.episodes_dir / day.isoformat()

    def today(self) -> Date:
        """The show's date now, in the show's time zone (a run that starts late still makes the right date)."""
        return datetime.now(ZoneInfo(self.show.timezone)).date()

    def segment(self, segment_id: str) -> SegmentSpec:
        for spec in self.segments:
            if spec.id == segment_id:
                return spec
        raise KeyError(segment_id)


def _key_path(loc: tuple[Any, ...], data: Any) -> str:
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            label = None
            if isinstance(node, list) and 0 <= part < len(node) and isinstance(node[part], dict):
                label = node[part].get("id") or node[part].get("name")
            parts.append(f"[{part}]" + (f" ({label})" if label else ""))
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        else:
            parts.append(("." if parts else "") + str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def _fix_for(error: Any) -> str:  # a pydantic ErrorDetails
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "remove it or check its spelling (unknown keys are not ignored)"
    if kind == "missing":
        return "add this key"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"give a value of the right type ({error.get('msg', '').lower()})"
    if kind == "literal_error":
        return error.get("msg", "use one of the listed values")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return "give type: smtp, buttondown, listmonk, folder or s3"
    return "correct the value"


def parse_config(data: Any, *, path: Path = Path("config.yaml"), root: Path | None = None) -> Config:
    """Validate already-loaded YAML data; errors name ``path`` and the key."""
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: the file must be a YAML mapping with keys show, sources, segments ...",
            hint="start from the config.yaml that 'briefcast init DIR' writes",
        )
    try:
        config = Config.model_validate({**data, "root": root or path.parent, "path": path})
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            where = _key_path(tuple(error["loc"]), data)
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"{path}: {where}: {message}; fix: {_fix_for(error)}")
        raise ConfigError("\n".join(lines), hint="see the comments in the default config.yaml") from None
    return config


# libyaml's loader when PyYAML has it (the same documents, ~7x faster than the pure-Python one: a config is
# read by every orchestrated step, and a folder of shows is read whole to build the Dagster definitions)
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_config(path: str | os.PathLike[str] = "config.yaml") -> Config:
    """Read and validate a show's config.yaml."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{file}: no such file", hint="run in the show's folder, pass --config PATH, or 'briefcast init DIR'"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot be read ({exc})") from None
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            f"{file}: {where}: not valid YAML ({problem}); fix: check indentation and quote values containing ':'"
        ) from None
    return parse_config(data, path=file, root=file.resolve().parent)
