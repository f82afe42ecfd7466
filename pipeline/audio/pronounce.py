"""The pronunciation report (``briefcast say --check``) and ``briefcast say "TEXT"``.

piper reads through espeak-ng's English rules plus its dictionary of exceptions (``en_dict``, bundled with piper in
``espeak-ng-data``). A name the dictionary does not know is guessed by letter-to-sound rules ("Osei", "Qwen"), and
a word with no vowel is spelled out letter by letter. ``unknown_words`` lists the words of a script, as the voice
will be given them after normalization, that no dictionary covers: not espeak's, not the built-in lexicon, not the
show's ``tts.lexicon``. Ordinary lowercase English is left to the rules, which read it well; what is listed is
what an editor should hear once (``briefcast say "Osei"``) and add to ``tts.lexicon`` if it comes out wrong.
A capitalized word that is also an English word ("Forge", "Wire") is read by the same rules and is not listed.

``en_dict`` is read directly: a header (hash-table size, offset of the rules), then 1,024 chains of entries, each
``[length][flags | word length][word][phonemes][flags]``, a chain ending with a zero byte; a word of plain letters is
packed six bits a letter (flag 0x40), 1 = 'a'.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipeline.audio.lexicon import DEFAULT_LEXICON, clean_script
from pipeline.audio.normalize import SAID, SAY_AS_WORD, normalize, split_sentences
from pipeline.errors import AudioError


def _unpack(raw: bytes) -> str:
    bits, acc, out = 0, 0, []
    for byte in raw:
        acc, bits = (acc << 8) | byte, bits + 8
        while bits >= 6:
            bits -= 6
            code = (acc >> bits) & 0x3F
            if 1 <= code <= 26:
                out.append(chr(0x60 + code))
    return "".join(out)


def read_dictionary(path: Path) -> frozenset[str]:
    """The words of a compiled espeak-ng dictionary (``en_dict``), lowercase."""
    data = path.read_bytes()
    if len(data) < 8:
        raise AudioError(f"{path} is not an espeak-ng dictionary", subject=str(path))
    hashes, rules = struct.unpack("<ii", data[:8])
    words: set[str] = set()
    at, chains = 8, 0
    while at < min(rules, len(data)) and chains < hashes:
        length = data[at]
        if length == 0:
            chains += 1
            at += 1
            continue
        flags = data[at + 1]
        raw = data[at + 2 : at + 2 + (flags & 0x3F)]
        words.add(_unpack(raw) if flags & 0x40 else raw.decode("utf-8", "replace").lower())
        at += length
    return frozenset(words)


@cache
def espeak_words() -> frozenset[str]:
    """English words in the espeak-ng dictionary piper ships."""
    try:
        import piper
    except ImportError as exc:
        raise AudioError("piper-tts is not installed, so its dictionary cannot be read",
                         hint="pip install 'briefcast[local]'") from exc
    path = Path(piper.__file__).parent / "espeak-ng-data" / "en_dict"
    if not path.is_file():
        raise AudioError(f"espeak-ng's English dictionary is missing ({path})", hint="reinstall piper-tts")
    return read_dictionary(path)


@cache
def english_words() -> frozenset[str]:
    """About 114,000 English words (GCIDE, the ``english-words`` package): words espeak's rules read well."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["gcide"], lower=True, alpha=True))


@dataclass
class Unknown:
    """A word the voice will have to guess (rules) or spell (no vowel), where it appears."""

    word: str
    how: str  # "guess" or "spell"
    count: int = 0
    segments: list[str] = field(default_factory=list)
    example: str = ""


_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*")
_VOWEL = re.compile(r"[aeiouy]", re.IGNORECASE)


def _stems(word: str) -> list[str]:
    word = word.lower().replace("’", "'")
    word = re.sub(r"'s$|s'$", "", word)
    forms = [word]
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
                         ("er", ""), ("ers", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            forms.append(word[: -len(suffix)] + repl)
    return forms


def _covered(lexicon: Mapping[str, str], say_as_words: Iterable[str]) -> set[str]:
    """Words the lexicons decide: their keys (already rewritten) and every word of their spellings."""
    covered: set[str] = set()
    for table in (DEFAULT_LEXICON, SAID, lexicon):
        for key, value in table.items():
            covered |= {w.lower() for w in _TOKEN.findall(value)}
            covered.add(key.lower())
    return covered | {w.lower() for w in (*SAY_AS_WORD, *say_as_words)}


def unknown_words(scripts: Iterable[tuple[str, str]], lexicon: Mapping[str, str] | None = None,
                  say_as_words: Iterable[str] = ()) -> list[Unknown]:
    """The words of ``scripts`` ((segment id, script) pairs) the voice would guess or spell, most frequent first."""
    lexicon = dict(lexicon or {})
    known = espeak_words() | english_words()
    covered = _covered(lexicon, say_as_words)
    found: dict[str, Unknown] = {}
    for segment_id, script in scripts:
        for sentence in split_sentences(clean_script(script)):
            spoken = normalize(sentence, lexicon, say_as_words)
            for index, match in enumerate(_TOKEN.finditer(spoken)):
                token = match.group(0).strip("'’")
                if len(token) < 2 or re.fullmatch(r"(?:[A-Z]-)+[A-Z]", token):
                    continue
                start = match.start()
                spelled_part = spoken[max(0, start - 1) : start] == "-" or spoken[match.end() : match.end() + 1] == "-"
                if spelled_part and len(token) == 1:
                    continue
                if not _VOWEL.search(token):
                    how = "spell"
                elif token[:1].islower() or (index == 0 and token.lower() in known):
                    continue  # ordinary English: espeak's rules read it
                elif any(form in known or form in covered for form in _stems(token)):
                    continue
                else:
                    how = "guess"
                entry = found.setdefault(token, Unknown(token, how, example=sentence))
                entry.count += 1
                if segment_id not in entry.segments:
                    entry.segments.append(segment_id)
    return sorted(found.values(), key=lambda u: (-u.count, u.word.lower()))


def say(config, text: str, target: Path) -> float:
    """Write ``text`` spoken in the show's host voice (lexicon and normalizer applied) to ``target`` as WAV;
    returns its length in seconds. Nothing is cached or kept but ``target``."""
    from pipeline.audio.synth import Synthesizer, Turn, check_speech

    clean = clean_script(text)
    if not clean:
        raise AudioError("nothing to say", hint='give the words to hear: briefcast say "Qwen2.5-72B at $0.10"')
    synthesizer = Synthesizer(config, None)  # type: ignore[arg-type]  # no store: say never touches the cache
    turn = synthesizer.prepare(Turn("host", clean))
    voice = synthesizer.voice("host")
    backend = synthesizer.backend(voice.backend)
    speech, _, _ = synthesizer._speak(backend, turn, voice, "say")
    check_speech(speech, turn.spoken, speed=voice.speed, subject="say")
    target.parent.mkdir(parents=True, exist_ok=True)
    seconds = synthesizer._save(speech, target, voice, "say")
    target.chmod(0o644)
    return seconds


__all__ = ["Unknown", "espeak_words", "read_dictionary", "say", "unknown_words"]
