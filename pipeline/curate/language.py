"""Which language an item is in, so an English show never hands a German post to its English voice.

`detect` is a small stopword count, no model and no dependency: each language has a list of short words that are
common in it and rare elsewhere (English "the" and "and", German "und", "für", "mit" ...) plus its letters
(``ä ö ü ß``). A language wins when it scores at least ``MIN_SCORE`` and at least twice the runner-up; otherwise
the answer is None (unknown), and an unknown item is kept: leaving news out on a guess is worse than keeping it.

`item_language` prefers a confident detection over what the item says (``Item.language``, usually the feed's
``<language>``), because feed templates declare ``en-US`` whatever a post is written in; the declaration decides
when the text is too short to tell, as headline-only items often are.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from pipeline.models import Item

MIN_SCORE = 2
DETECT_CHARS = 600

# Only words that are frequent in one language and rare as words of the others in this table.
_STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to is are with for that this from by it its our we you your how what why which into about "
        "be has have will was were been their they new than can more not or but after over says",
        "de": "der die das und ist nicht mit für auf ein eine einen einem einer dem den des zu von im wir sie es ich "
        "bei auch wie aus nach über unser unsere unseren neue neuen neues jetzt mehr oder werden wird sind hat "
        "haben kann können diese dieser dass zum zur vom noch nur schon heute sich ihre ihr wurde",
        "fr": "le la les et est des une un pour dans sur avec pas que qui nous vous sont ce cette du au aux par plus "
        "nouveau nouvelle nouveaux mais comme ses leur être été",
        "es": "el la los las y es del una un para en con por que se su sus más nuevo nueva nuevos pero como está "
        "son ha han este esta al lo",
        "it": "il lo la gli le e è del della delle dei un una per con che non sono nuovo nuova nuovi ma come questo "
        "questa più anche nel nella al alla",
        "nl": "de het een en is van voor op met niet dat dit zijn wij we ook nieuwe nieuw naar bij maar om hoe wat "
        "worden wordt",
        "pt": "o a os as e é do da dos das um uma para com não que se seu sua mais novo nova novos mas como está "
        "são em no na",
    }.items()
}
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _lang, _words in _STOPWORDS.items():
    for _word in _words:
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _lang)
_LETTERS: dict[str, str] = {"de": "äöüß", "fr": "éèêàçœ", "es": "ñ¿¡áíóú", "it": "àèìòù", "pt": "ãõçâê"}
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")


def primary(tag: str | None) -> str | None:
    """The primary subtag of a BCP 47 tag, lower-cased: ``en-US`` -> ``en``; None for an empty tag."""
    if not tag:
        return None
    return tag.strip().replace("_", "-").split("-")[0].lower() or None


@lru_cache(maxsize=16384)
def detect(text: str) -> str | None:
    """The language of ``text`` (its first ``DETECT_CHARS`` characters) when the stopwords say so clearly, else None."""
    sample = text[:DETECT_CHARS].lower()
    scores: Counter[str] = Counter()
    for word in _WORD.findall(sample):
        for lang in _LANGUAGES_OF.get(word, ()):
            scores[lang] += 1
    for lang, letters in _LETTERS.items():
        scores[lang] += sum(1 for letter in set(sample) if letter in letters)
    if not scores:
        return None
    ranked = scores.most_common()
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if score >= MIN_SCORE and score >= 2 * runner_up and score > runner_up:
        return best
    return None


def item_language(item: Item) -> str | None:
    """The item's language: a confident detection from its title and text, else what the item declares, else None."""
    return detect(f"{item.title}\n{item.text}") or primary(item.language)


def split_by_language(items: list[Item], show_language: str) -> tuple[list[Item], dict[str, list[Item]]]:
    """(items in the show's language or unknown, {other language: its items})."""
    own = primary(show_language)
    kept: list[Item] = []
    other: dict[str, list[Item]] = {}
    for item in items:
        lang = item_language(item)
        if lang is None or lang == own:
            kept.append(item)
        else:
            other.setdefault(lang, []).append(item)
    return kept, other
