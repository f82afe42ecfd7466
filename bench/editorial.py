"""Editorial quality of a drafted episode, read the way a producer reads it: the scoreboard for the written show.

Two days are drafted with the embedded model (answers cached in a folder kept between runs, so a second bench run
costs seconds): the sample day, and a fixture of headline-only feeds like many company blogs. For each, per
metric (target in brackets): near-duplicate sentence pairs across segments (0), share of sentences with a 12+ word
verbatim run outside quotes (<= 5%), fragments (0), the source's first person in the host's voice (0), superseded
facts stated as current (0, sample day: the Helix licence reversal), sentences resting on a thin source beyond one
per source (0), debate sides cited (2) and quotes used (>= 1), spoken words against target, minutes against
target, and the draft's calls, tokens and seconds.

The counters here are written independently of the writer's own gate (their own regexes), so they cannot agree
with it by construction.

    python -m bench.editorial            # both days
    python -m bench.editorial --analyze episodes/2026-03-10   # one drafted episode folder, no drafting
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
DAY = "2026-03-10"
WORK = PROJECT / ".briefcast" / "bench-editorial"
HEADLINE_ONLY = PROJECT / "tests" / "fixtures" / "headline_only"
WPM = 141  # the bundled voice's measured rate (FACTS.md)

# -- independent counters ----------------------------------------------------------------------------------------

_CITE = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
_STOPS = set("a an the and or of to in on at by for with from as is are was were be it its this that".split())


_SENTENCE = re.compile(r"\S.*?[.!?][\"”’)]*(?:\s*\[\d+(?:\s*,\s*\d+)*\])*(?=\s+[\"“(A-Z0-9]|\s*$)|\S.+$", re.DOTALL)
_ABBREV = re.compile(r"\b(?:[A-Z]|Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Prof|Inc|Corp|Ltd|Co|St|vs|v|U\.S|U\.K|No|Jan|Feb|Aug|Sept?|Oct|Nov|Dec)\.$")


def sentences(text: str) -> list[str]:
    """Sentences of a segment's text, each with the [n] markers that follow it (written apart from the writer's)."""
    text = re.sub(r"\*\*|__|`", "", text)
    out: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"^\s*[-*]\s+", "", line).strip()
        pending = ""
        for match in _SENTENCE.finditer(line):
            piece = (pending + " " + match.group(0).strip()).strip()
            if _ABBREV.search(re.sub(r"(?:\s*\[\d+(?:\s*,\s*\d+)*\])*$", "", piece)):
                pending = piece  # "Sen." or "Dr." does not end a sentence
                continue
            pending = ""
            out.append(piece)
        if pending:
            out.append(pending)
    return out


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", _CITE.sub("", text).lower().replace("’", "'"))


def unquoted(text: str) -> str:
    return re.sub(r"[\"“][^\"”]*[\"”]", " ", text)


def longest_shared_run(sentence: str, source: str) -> int:
    a, b = words(unquoted(sentence)), words(source)
    best = 0
    index: dict[str, list[int]] = {}
    for j, w in enumerate(b):
        index.setdefault(w, []).append(j)
    for i, w in enumerate(a):
        for j in index.get(w, []):
            k = 0
            while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k]:
                k += 1
            best = max(best, k)
    return best


def is_fragment(sentence: str) -> bool:
    body = _CITE.sub("", sentence).strip()
    core = body.rstrip(".!?\"”’) ")
    if len(core.split()) < 4 or not re.search(r"[.!?][\"”’)]?$", body):
        return True
    last = core.split()[-1].lower().strip(",;:")
    return last in {"the", "a", "an", "of", "to", "and", "or", "that", "with", "by", "for", "from", "is", "its"} \
        or core.endswith(",") or bool(re.search(r"\bthe \d{1,2}$", core))


def speaks_first_person(sentence: str) -> bool:
    return bool(re.search(r"\b(?:[Ww]e|[Oo]ur|[Oo]urs|[Uu]s|I'm|I've|[Mm]y)\b", unquoted(sentence).replace("US", "")))


def content(sentence: str) -> set[str]:
    return {w for w in words(sentence) if w not in _STOPS and len(w) > 2}


SUPERSEDED = [re.compile(r"\b50[ -]?(?:million|M)\b(?:[ -](?:monthly|MAU))?", re.IGNORECASE)]
CHANGE = re.compile(r"\b(?:from|raised?|raising|doubl\w*|previous\w*|earlier|had|was|were|revers\w*|dropp\w*|"
                    r"back to|chang\w*|instead|original\w*|initial\w*|up from|now)\b", re.IGNORECASE)


def thin(text: str, title: str) -> bool:
    body = text.strip()
    if body.lower().startswith(title.lower()):
        body = body[len(title):]
    return len(body.strip()) < 200


def analyze(folder: Path, texts: dict[str, tuple[str, str]], run: dict[str, Any] | None = None) -> dict[str, Any]:
    """Metrics of one drafted episode folder; ``texts`` maps item id -> (title, text) of its sources."""
    episode = json.loads((folder / "episode.json").read_text())
    live = [s for s in episode["segments"] if s["status"] == "drafted"]
    placed: list[tuple[str, str]] = []
    total = copied = fragments = first = superseded = 0
    thin_uses: dict[str, int] = {}
    for segment in live:
        refs = {ref["n"]: ref for ref in segment["sources"]}
        for sentence in sentences(segment["text"]):
            if re.match(r"^(Today's question|The case|What to watch|Today's reports|That's|I'm|Thanks for)", sentence):
                placed.append((segment["id"], sentence))
                continue
            total += 1
            placed.append((segment["id"], sentence))
            cited = [int(n) for group in re.findall(r"\[(\d+(?:\s*,\s*\d+)*)\]", sentence)
                     for n in re.split(r"\s*,\s*", group)]
            bodies = [texts.get(refs[n]["item_id"], ("", ""))[1] for n in cited if n in refs]
            if any(longest_shared_run(sentence, body) >= 12 for body in bodies):
                copied += 1
            fragments += is_fragment(sentence)
            first += speaks_first_person(sentence)
            if any(p.search(sentence) for p in SUPERSEDED) and not CHANGE.search(sentence):
                superseded += 1
            items = [refs[n]["item_id"] for n in cited if n in refs]
            if items and all(thin(*reversed(texts.get(i, ("", "")))) for i in items):
                for item in items:
                    thin_uses[item] = thin_uses.get(item, 0) + 1
    duplicates = 0
    for j, (seg_j, later) in enumerate(placed):
        cj = content(later)
        if len(cj) < 4:
            continue
        for seg_i, earlier in placed[:j]:
            ci = content(earlier)
            if seg_i != seg_j and len(ci) >= 4 and len(ci & cj) >= 0.7 * min(len(ci), len(cj)):
                duplicates += 1
                break
    debate = next((s for s in live if s["kind"] == "debate"), None)
    sides, quotes = 0, 0
    if debate:
        blocks = debate["text"].split("\n\n")
        for label in ("The case that it is.", "The case against."):
            block = next((b for b in blocks if label in b), "")
            cited = [s for s in sentences(block) if re.search(r"\[\d", s)]
            sides += len(cited) >= 2
        refs = {ref["n"]: ref["item_id"] for ref in debate["sources"]}
        bodies = [texts.get(item, ("", ""))[1] for item in refs.values()]
        quotes = sum(1 for quoted in re.findall(r"[\"“]([^\"”]{15,})[\"”]", debate["text"])
                     if len(quoted.split()) >= 4 and any(quoted.strip(" ,.") in body for body in bodies))
    spoken = sum(len(words(s["script"])) for s in live)
    target = sum(s.get("target_words", 0) for s in live)
    minutes = (episode.get("audio") or {}).get("duration", 0) / 60 or spoken / WPM
    draft = next((s for s in (run or {}).get("stages", []) if s["stage"] == "draft"), {})
    counts = draft.get("counts", {})
    return {
        "sentences": total, "near_duplicate_pairs": duplicates, "verbatim_share": copied / max(1, total),
        "fragments": fragments, "first_person": first, "superseded_as_current": superseded,
        "thin_excess": sum(max(0, n - 1) for n in thin_uses.values()), "debate_sides_cited": sides,
        "debate_quotes": quotes, "debate": bool(debate), "spoken_words": spoken, "target_words": target,
        "minutes": round(minutes, 2), "target_minutes": round(target / WPM, 2),
        "segments": [f"{s['id']} {len(words(s['script']))}/{s.get('target_words', 0)}" for s in live],
        "llm_calls": counts.get("llm_calls"), "tokens_in": counts.get("tokens_in"),
        "tokens_out": counts.get("tokens_out"), "draft_seconds": draft.get("seconds"),
        "thin_sources": counts.get("thin_sources"),
    }


def source_texts(state_db: Path) -> dict[str, tuple[str, str]]:
    import sqlite3

    db = sqlite3.connect(state_db)
    out = {}
    for item_id, data in db.execute("SELECT id, data FROM items"):
        item = json.loads(data)
        out[item_id] = (item.get("title", ""), item.get("content_text") or item.get("summary_text") or "")
    db.close()
    return out


# -- drafting the two days ---------------------------------------------------------------------------------------


def _draft(folder: Path, config: Path, extra: list[str]) -> tuple[float, dict[str, Any]]:
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "config.yaml").exists():
        shutil.copyfile(config, folder / "config.yaml")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pipeline", "run", "--date", DAY, "--config",
                           str(folder / "config.yaml"), "--no-audio", *extra],
                          cwd=folder, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"run failed ({done.returncode}): {done.stderr[-2000:]}")
    report = json.loads((folder / "episodes" / DAY / "run.json").read_text())
    return time.monotonic() - started, report


def headline_only(folder: Path = WORK / "headline-only") -> dict[str, Any]:
    """The reference show on the headline-only fixture (tests/fixtures/headline_only), drafted in-process."""
    from datetime import date

    from pipeline.run import run_day
    from tests.headline_only import HEADLINE_DAY, headline_config, serve_headline_only

    config = headline_config(folder, verify={"enabled": False})
    with serve_headline_only(config, HEADLINE_DAY) as served:
        report = run_day(served, HEADLINE_DAY, audio=False)
    day = date.fromisoformat(DAY)
    assert day == HEADLINE_DAY
    episode_dir = folder / "episodes" / DAY
    return analyze(episode_dir, source_texts(folder / ".briefcast" / "state.db"), report.model_dump(mode="json"))


def rows_for(name: str, m: dict[str, Any]) -> list[dict[str, Any]]:
    def row(figure: str, value: Any, target: str, baseline: Any = None) -> dict[str, Any]:
        return {"figure": f"{name}: {figure}", "briefcast": value, "baseline": baseline, "ratio": None,
                "target": target}

    rows = [
        row("near-duplicate sentence pairs across segments", m["near_duplicate_pairs"], "0"),
        row("sentences with a 12+ word verbatim run (share)", round(m["verbatim_share"], 3), "<= 0.05"),
        row("fragments", m["fragments"], "0"),
        row("source first person in the host's voice", m["first_person"], "0"),
        row("superseded facts stated as current", m["superseded_as_current"], "0"),
        row("sentences on a thin source beyond one per source", m["thin_excess"], "0"),
    ]
    if m["debate"]:
        rows += [row("debate sides cited (>= 2 claims each)", m["debate_sides_cited"], "2"),
                 row("debate quotes used", m["debate_quotes"], ">= 1")]
    rows += [
        row("spoken words vs target", m["spoken_words"], "", m["target_words"]),
        row("episode minutes vs target", m["minutes"], "", m["target_minutes"]),
        row("segment words/target", "; ".join(m["segments"]), ""),
        row("draft calls", m["llm_calls"], "<= 29 (before)"),
        row("draft tokens in / out", f"{m['tokens_in']} / {m['tokens_out']}", "<= 19.0k / 4.1k (before)"),
        row("draft seconds (cached answers make this small)", m["draft_seconds"], "<= 565 (before, cold)"),
    ]
    return rows


def run() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    sample = WORK / "sample"
    _draft(sample, PROJECT / "config.yaml", ["--sample"])
    m = analyze(sample / "episodes" / DAY, source_texts(sample / ".briefcast" / "state.db"),
                json.loads((sample / "episodes" / DAY / "run.json").read_text()))
    rows += rows_for("sample day", m)
    rows += rows_for("headline-only feeds", headline_only())
    return rows


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--analyze":
        folder = Path(sys.argv[2]).resolve()
        state = next((p / ".briefcast" / "state.db" for p in folder.parents if (p / ".briefcast" / "state.db").exists()))
        run_json = folder / "run.json"
        metrics = analyze(folder, source_texts(state), json.loads(run_json.read_text()) if run_json.exists() else None)
        for item in rows_for(folder.name, metrics):
            print(f"{item['figure']:<70} {item['briefcast']!s:<30} {item['baseline'] if item['baseline'] is not None else ''}")
    else:
        for item in run():
            print(item)
