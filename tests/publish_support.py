"""Hand-built episodes and a real MP3 for the publish tests (no other stage's code is used)."""

from __future__ import annotations

import functools
import subprocess
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import imageio_ffmpeg

from pipeline.config import Config
from pipeline.files import save_episode
from pipeline.models import AudioInfo, Chapter, Episode, Segment, SourceRef

HOSTILE_TITLE = "</title><script>alert(1)</script>"
HOSTILE_DESCRIPTION = 'Cats & dogs < birds > "fish" ]]> <img src=x onerror=alert(2)>'


def ref(n: int, url: str | None, outlet: str = "Example News", title: str | None = None) -> SourceRef:
    return SourceRef(n=n, story_id=f"s{n}", item_id=f"i{n}", outlet=outlet, title=title or f"Story number {n}", url=url)


def make_episode(day: date, *, status: str = "published", title: str = "Open weights catch up",
                 description: str = "Open models close the gap; a new EU rule; three papers.",
                 hostile: bool = False, audio: AudioInfo | None = None) -> Episode:
    """An episode with a cold open, headlines, a debate, quick hits, a failed segment and a sign-off."""
    evil = hostile
    segments = [
        Segment(id="cold-open", kind="cold_open", title="The day in three lines",
                text="Open weights gained ground today [1]. Regulators moved [2].",
                script="Open weights gained ground today.", sources=[ref(1, "https://a.example/open"),
                                                                     ref(2, "https://b.example/rule")]),
        Segment(id="headlines", kind="headlines", title="Top headlines" + (" <b>bold</b>" if evil else ""),
                text=(
                    "**Qwen** released a 32B model under Apache-2.0 [1]. It beats last year's closed models on "
                    "*coding* benchmarks [1, 2].\n\n"
                    "- Mistral cut API prices by 40% [3]\n- A lab published [its evals](https://c.example/evals) [2]"
                    + ("\n\nClick [here](javascript:alert(1)) or [there](&#106;avascript:alert(1)) or "
                       "[data](data:text/html;base64,PHNjcmlwdD4=) or [vb](vbscript:msgbox) "
                       "<script>alert(3)</script> & <img src=x onerror=alert(4)> [4] [5] [6] [9]" if evil else "")
                ),
                script="Qwen released a thirty-two billion parameter model.",
                sources=[ref(1, "https://a.example/qwen?x=1&y=2", outlet="Hugging Face blog"),
                         ref(2, "https://b.example/evals", outlet="The Verge"),
                         ref(3, "https://c.example/mistral-prices", outlet="TechCrunch")]
                + ([ref(4, "javascript:alert(5)", title=HOSTILE_TITLE), ref(5, "&#x6A;avascript:alert(6)"),
                    ref(6, "data:text/html,<script>alert(7)</script>")] if evil else [])),
        Segment(id="open-vs-closed", kind="debate", title="Open vs closed",
                text=("The case for open: weights you can run and audit [1].\n\n"
                      "The case for closed: frontier capability still leads by months [2].\n\n"
                      "What to watch: licence terms and the next price cut [1, 2]."),
                script="Is open source falling behind?",
                sources=[ref(1, "https://d.example/open-case", outlet="Interconnects"),
                         ref(2, "https://e.example/closed-case", outlet="Import AI")]),
        Segment(id="quick-hits", kind="quick_hits", title="Quick hits",
                text="- vLLM 0.9 ships [1]\n- Ollama adds a new runner [2]\n- A very long URL appears: "
                     "https://verylongdomainname.example/path/that/keeps/going/and/going/without/any/breaks/at/all",
                script="Quick hits.", sources=[ref(1, "https://f.example/vllm"), ref(2, "https://g.example/ollama")]),
        Segment(id="research", kind="research", title="Research picks", status="failed", error="model timed out",
                text="THIS FAILED SEGMENT MUST NOT APPEAR"),
        Segment(id="sign-off", kind="sign_off", title="Sign-off", text="That's the brief. See you tomorrow.",
                script="That's the brief."),
    ]
    return Episode(
        date=day, show="The AI Daily Brief", status=status,
        title=HOSTILE_TITLE if hostile else title,
        description=HOSTILE_DESCRIPTION if hostile else description,
        segments=segments, audio=audio,
        published_at=datetime(day.year, day.month, day.day, 6, 30, tzinfo=UTC) if status == "published" else None,
    )


@functools.cache
def mp3_bytes(seconds: float = 2.0) -> bytes:
    """A real MP3: a sine tone encoded by the bundled ffmpeg (made once per test session)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "sine.mp3"
        subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
             f"sine=frequency=440:duration={seconds}", "-c:a", "libmp3lame", "-b:a", "64k", str(out)],
            check=True, timeout=60,
        )
        return out.read_bytes()


def add_episode(config: Config, episode: Episode, *, mp3: bool = True, transcript: bool = True,
                chapters: bool = True) -> Path:
    """Save an episode and, as asked, its MP3, transcript.vtt and chapters.json; returns its folder."""
    save_episode(config.episodes_dir, episode)
    folder = config.episode_dir(episode.date)
    if mp3:
        (folder / "episode.mp3").write_bytes(mp3_bytes())
    if transcript:
        (folder / "transcript.vtt").write_text(
            "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\n<v Alex>Welcome to the brief &amp; more.\n\n"
            "2\n00:00:01.000 --> 00:00:02.000\nOpen weights <b>caught up</b> &lt;script&gt;.\n", encoding="utf-8")
    if chapters:
        (folder / "chapters.json").write_text(
            '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Cold open"},'
            ' {"startTime": 1.0, "title": "Headlines", "url": "javascript:alert(1)"}]}', encoding="utf-8")
    return folder


def audio_info(seconds: float = 2.0) -> AudioInfo:
    return AudioInfo(duration=seconds, bytes=len(mp3_bytes()),
                     chapters=[Chapter(segment_id="cold-open", title="Cold open", start=0, end=1),
                               Chapter(segment_id="headlines", title="Headlines", start=1, end=2)])
