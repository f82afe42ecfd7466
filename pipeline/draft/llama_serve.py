"""The embedded model server: llama-cpp-python's OpenAI server with four changes, run by ``local.serve_local``.

    BRIEFCAST_LIFELINE_FD=FD python -m pipeline.draft.llama_serve [--grammar_first true] <llama_cpp.server args>

- **The grammar checks the sampled token, not the vocabulary** (what llama.cpp's own server does): llama-cpp-python
  puts the JSON-schema grammar in the sampler chain, so every token drawn first tests all 151,936 vocabulary
  entries against the grammar (measured: about 30 ms a token against 1.5 ms without). Here the plain chain draws a
  token, the grammar alone checks that one token, and only when it refuses is the vocabulary masked and the token
  drawn again from what the grammar allows. Answers still always match the schema.
- **Cached prompt tokens are reported**: the server's ``usage`` has no such count, so the length of the prompt
  prefix reused from the previous call's KV cache is sent back in the ``x-briefcast-cached-tokens`` header.
- **A copy guard** (asked per call with the ``x-briefcast-copy-guard: N tag,tag`` header): the words inside the
  prompt's ``<tag>`` blocks (the sources) are indexed, and a drawn token that would make the answer repeat N of
  their words in a row is refused and another drawn, outside quotation marks (a quote is the source's own words).
  A small model told "in your own words" still copies whole sentences; refusing the copy while it writes costs
  microseconds a token, where rewriting a copied sentence afterwards costs a call.
- **A lifeline**: the parent keeps the write end of a pipe whose read end is ``BRIEFCAST_LIFELINE_FD``. When the parent
  dies, however it dies (kill -9 included), the kernel closes its end, the read here sees end-of-file and the
  server exits at once: no orphaned server holding 1-2 GB, no second one beside it on the next run.
"""

from __future__ import annotations

import argparse
import bisect
import contextvars
import ctypes
import math
import os
import re
import sys
import threading
from collections.abc import Callable, Sequence, Set
from typing import Any

LIFELINE_EXIT = 75  # the exit code when the parent is gone
LIFELINE_ENV = "BRIEFCAST_LIFELINE_FD"
CACHED_HEADER = b"x-briefcast-cached-tokens"
GUARD_HEADER = b"x-briefcast-copy-guard"
REFUSED_HEADER = b"x-briefcast-copy-refused"  # tokens the guard refused in the answer
GUARD_REDRAWS = 24  # tokens refused at one step before the guard gives way (the checker then flags the copy)

# One holder per HTTP request (set by the ASGI wrapper; the completion runs in a worker thread, which gets a copy
# of the request's context and so the same holder).
_request_stats: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("briefcast_stats",
                                                                                        default=None)


def watch_lifeline(fd: int) -> threading.Thread:
    """Exit the process as soon as ``fd`` (the read end of the parent's pipe) reaches end-of-file."""

    def watch() -> None:
        while True:
            try:
                if not os.read(fd, 64):
                    break
            except InterruptedError:
                continue
            except OSError:
                break
        # The parent is gone: nobody will ever ask this server anything again. Skip cleanup, release the memory.
        os._exit(LIFELINE_EXIT)

    thread = threading.Thread(target=watch, name="lifeline", daemon=True)
    thread.start()
    return thread


def watch_lifeline_from_env() -> threading.Thread | None:
    """``watch_lifeline`` on the descriptor named by ``BRIEFCAST_LIFELINE_FD``, when the parent gave one."""
    value = os.environ.get(LIFELINE_ENV, "")
    return watch_lifeline(int(value)) if value.isdigit() else None


# Words as the strictest count of a copied run sees them: letters, digits and apostrophes, split at hyphens and dots
# ("Lumen-70B" is two words, "2.4-million" three): a model that hyphenates a copied phrase has still copied it.
_WORD = re.compile(r"[A-Za-z0-9'’]+")
_UNESCAPED_QUOTE = re.compile(r'(?<!\\)(?:\\\\)*"')
_QUOTATION = re.compile(r'\\"[^"\\]*(?:\\.[^"\\]*)*?\\"|“[^”]*”')


def _fold(word: str) -> str:
    return word.lower().replace("’", "'")


def _words(text: str) -> list[str]:
    return [_fold(w) for w in _WORD.findall(text)]


# Words a run is never cut at: saying them otherwise makes bad English ("according by", "the the").
_FUNCTION_WORDS = frozenset({
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "into", "onto", "over", "under",
    "about", "after", "before", "since", "until", "than", "then", "as", "and", "or", "but", "nor", "so", "if",
    "that", "which", "who", "whom", "whose", "what", "when", "where", "while", "it", "its", "they", "their", "them",
    "he", "his", "she", "her", "we", "our", "you", "your", "this", "these", "those", "there", "here", "is", "are",
    "was", "were", "be", "been", "being", "am", "has", "have", "had", "do", "does", "did", "will", "would", "can",
    "could", "may", "might", "must", "shall", "should", "not", "no", "also", "just", "only", "more", "most", "very",
    "such", "per", "via", "up", "down", "out", "off", "said", "says"
})


_FIGURE_WORDS = frozenset({"hundred", "thousand", "million", "billion", "trillion", "percent", "per", "cent"})


def _figure(word: str) -> bool:
    return any(ch.isdigit() for ch in word) or word.lower() in _FIGURE_WORDS


def named_pairs(texts: Sequence[str]) -> set[tuple[str, str]]:
    """Word pairs that some text writes as a name, both capitalized ("Chief Safety Officer" -> ("chief", "safety"),
    ("safety", "officer")): where another source writes them in lower case ("chief safety officer") they are still
    a name, and a copy cut there is a changed title (measured: "chief danger officer")."""
    pairs: set[tuple[str, str]] = set()
    for text in texts:
        raw = _WORD.findall(text)
        for a, b in zip(raw, raw[1:], strict=False):
            if a[:1].isupper() and b[:1].isupper() and a.isalpha() and b.isalpha():
                pairs.add((_fold(a), _fold(b)))
    return pairs


def _cuttable(raw: Sequence[str], i: int, named: Set[tuple[str, str]] = frozenset()) -> bool:
    """Whether a copied run may be cut at word ``i`` of a source: a plain word (lower case, not a function word),
    not inside a figure ("$310 million", "$0.24 per million input tokens": the three words after a number are
    its), not a title before a name ("chief executive Eli Navarro"), and not inside a phrase that ``named``
    (`named_pairs`) says is a name elsewhere ("chief safety officer")."""
    word = raw[i]
    if not word.islower() or word in _FUNCTION_WORDS or _figure(word):
        return False
    if any(_figure(w) for w in raw[max(0, i - 3) : i]):
        return False
    if (i > 0 and (_fold(raw[i - 1]), _fold(word)) in named) or (
            i + 1 < len(raw) and (_fold(word), _fold(raw[i + 1])) in named):
        return False
    return not (i + 1 < len(raw) and raw[i + 1][:1].isupper())


class CopyGuard:
    """Refuses the next piece of an answer when it would repeat ``n`` words in a row of the protected texts.

    Works on the answer's text as generated (JSON): only inside a string value, and not inside a quotation there
    (escaped double quotes or curly quotes: someone's own words are quoted verbatim by design). A run is refused
    where the writer can say it otherwise without harm: at an ordinary content word of the source, never inside a
    name or figure ("the Frontier Model Accountability Act" stays whole; the run is cut at the next plain word) and
    never at a function word ("according by"). At that word the source's word, its prefixes, its inflections
    ("officer" -> "officers") and the same word glued to the last ("getanother") are all refused, so the model
    must choose another word or another turn of phrase: one of the sources' own words or a small word, in the
    show's script, without ending the sentence there (`allows`). A run through names, figures and small words is
    cut all the same at its first lower-case word past n+2 (never inside a name or a figure). Words are counted
    the strict way (split at hyphens and dots)."""

    def __init__(self, texts: Sequence[str], n: int) -> None:
        self.n = n
        self.next: dict[tuple[str, ...], set[str]] = {}  # n-1 words -> the plain n-th words that follow them
        self.longest: dict[tuple[str, ...], set[str]] = {}  # n+2 words -> any next word: the run's hard end
        seen: set[str] = set()
        named = named_pairs(texts)
        for text in texts:
            raw = _WORD.findall(text)
            words = [_fold(w) for w in raw]
            seen.update(words)
            for i in range(n - 1, len(words)):
                if _cuttable(raw, i, named):
                    self.next.setdefault(tuple(words[i - n + 1 : i]), set()).add(words[i])
                if i >= n + 2 and raw[i].islower() and not _figure(raw[i]):
                    self.longest.setdefault(tuple(words[i - n - 2 : i]), set()).add(words[i])
        # What a word said where a copy was refused may be: the sources' own words and small words, so the way out
        # of a copy is a turn of phrase, not a synonym the sources never use ("safety officer" -> "security
        # officer", measured). Small words alone were tried and were worse: the model, cornered, wrote prompt text
        # ("No s of the sources that sentence uses") and another script.
        self.vocabulary = sorted(seen | _FUNCTION_WORDS)
        self.letters = {ch for text in texts for ch in text if ch.isalpha() and not ch.isascii()}
        self.answer = b""
        self.refused = 0
        self.steering = False  # the word being written began where a copy was refused

    @classmethod
    def from_prompt(cls, prompt: str, spec: str) -> CopyGuard | None:
        """A guard from the header's value ("10 source,original") over the prompt's tagged blocks; None when
        the value is malformed or names nothing to protect."""
        parts = spec.strip().split(None, 1)
        if len(parts) != 2 or not parts[0].isdigit() or int(parts[0]) < 2:
            return None
        tags = [t for t in re.split(r"[,\s]+", parts[1]) if re.fullmatch(r"[a-z_]{1,20}", t)]
        texts = [m.group(1) for tag in tags
                 for m in re.finditer(rf"<{tag}\b[^>]*>(.*?)</{tag}>", prompt, re.DOTALL)]
        return cls(texts, int(parts[0])) if texts else None

    def blocks(self, piece: bytes) -> bool:
        """Whether appending ``piece`` to the answer so far would complete a protected run."""
        if not self.next and not self.longest:
            return False
        text = self.answer.decode("utf-8", "ignore")
        added = piece.decode("utf-8", "ignore")
        readings = [text + added]
        if text[-1:].isalnum() and added[:1].isalnum():
            readings.append(f"{text} {added}")  # "get" + "another": the same words, glued
        return any(self._completes(reading) for reading in readings)

    def strays(self, piece: bytes) -> bool:
        """Whether ``piece`` writes a word that is neither the sources' nor a small word (nor the start of one),
        another script, or the sentence's end: asked of the piece drawn in place of a refused one."""
        text = (self.answer + piece).decode("utf-8", "ignore")
        added = piece.decode("utf-8", "ignore")
        if any(ch.isalpha() and not ch.isascii() and ch not in self.letters for ch in added):
            return True  # another script ("миллион" for "million"): never a way out
        if not self.letters and any(byte >= 0x80 for byte in piece) and not added.strip(" ’“”–—…"):
            return True  # the first bytes of a character the sources never use
        if re.search(r'(?<!\\)"|[.!?]', added):
            return True  # ending the sentence there drops what it was saying ("for $310.")
        if re.search(r"[^A-Za-z0-9\s,;:()'’\-–—]", added):
            return True  # markup or a symbol ("\\<br\\>", measured in a guarded script): no way out either
        if not re.search(r"[A-Za-z0-9]", added):
            return False  # a comma, a space, a dash: a turn of phrase
        words = _words(text)
        if not words:
            return False
        word = words[-1]
        at = bisect.bisect_left(self.vocabulary, word)
        return not (at < len(self.vocabulary) and self.vocabulary[at].startswith(word))

    def _completes(self, text: str) -> bool:
        quotes = [m.end() for m in _UNESCAPED_QUOTE.finditer(text)]
        if text.endswith('"') and quotes and quotes[-1] == len(text):
            quotes.pop()  # the piece closes the string: judge the string it closes
        if len(quotes) % 2 == 0:
            return False  # between JSON values: keys, numbers, punctuation
        value = text[quotes[-1]:]
        if value.count('\\"') % 2 or value.count("“") > value.count("”"):
            return False  # inside a quotation
        words = _words(_QUOTATION.sub(" ", value))
        if len(words) < self.n:
            return False
        still_writing = bool(re.search(r"[A-Za-z0-9'’]$", value))
        last = words[-1]

        def same(end: str) -> bool:
            return end == last or (still_writing and end.startswith(last)) or (
                last.startswith(end) and len(last) <= len(end) + 3)

        if any(same(end) for end in self.next.get(tuple(words[-self.n : -1]), ())):
            return True
        # a run through names, figures and small words is cut at its n+3-th word, whatever that word is
        hard = self.longest.get(tuple(words[-self.n - 3 : -1]), ()) if len(words) > self.n + 2 else ()
        return any(same(end) for end in hard)

    def allows(self, piece: bytes, *, redrawn: bool = False) -> bool:
        """The sampler's question: may ``piece`` come next? Not when it completes a copy; and in place of a refused
        piece (``redrawn``), or while finishing the word begun there, not when it strays from the sources' words."""
        if self.blocks(piece):
            return False
        steering = redrawn or (self.steering and piece[:1].isalnum())
        return not (steering and self.strays(piece))

    def accept(self, piece: bytes, *, redrawn: bool = False) -> None:
        self.steering = redrawn or (self.steering and piece.isalnum())
        self.answer += piece


class GrammarFirstSampler:
    """Draw with the plain chain, check the one token against the grammar, mask the vocabulary only on refusal;
    with a `CopyGuard`, a token that would copy a protected run is refused too and the next best drawn.

    Duck-types ``llama_cpp._internals.LlamaSampler`` as ``Llama.sample`` uses it (``sample(ctx, idx)``). With no
    ``grammar`` (the chain applies its own, or there is none) only the guard is added."""

    def __init__(self, chain: Any, grammar: Any, n_vocab: int, guard: CopyGuard | None = None,
                 piece: Callable[[int], bytes] | None = None) -> None:
        import numpy as np
        from llama_cpp import llama_cpp as C

        self._C = C
        self.chain = chain  # a LlamaSampler without the grammar (owns its C chain)
        self.grammar = grammar  # a bare llama_sampler* for the grammar, or None
        self.n_vocab = n_vocab
        self.guard = guard if piece is not None else None
        self.piece = piece
        self._full = (C.llama_token_data * n_vocab)()
        self._view = np.ctypeslib.as_array(self._full)
        self._ids = np.arange(n_vocab, dtype=np.int32)
        self._one = (C.llama_token_data * 1)()
        self.draws = 0
        self.refused = 0

    def _array(self, data: Any, size: int) -> Any:
        C = self._C
        return C.llama_token_data_array(data=ctypes.cast(data, C.llama_token_data_p), size=size, selected=-1,
                                        sorted=False)

    def _draw(self, logits: Any, masked: bool) -> int:
        C = self._C
        self._view["id"] = self._ids
        self._view["logit"] = logits
        self._view["p"] = 0.0
        candidates = self._array(self._full, self.n_vocab)
        if masked and self.grammar is not None:
            C.llama_sampler_apply(self.grammar, ctypes.byref(candidates))
        C.llama_sampler_apply(self.chain.sampler, ctypes.byref(candidates))
        return int(candidates.data[candidates.selected].id)

    def allowed(self, token: int) -> bool:
        """Whether the grammar, in its current state, accepts ``token`` next."""
        if self.grammar is None:
            return True
        self._one[0].id, self._one[0].logit, self._one[0].p = token, 0.0, 0.0  # type: ignore[assignment]
        one = self._array(self._one, 1)
        self._C.llama_sampler_apply(self.grammar, ctypes.byref(one))
        return not math.isinf(one.data[0].logit)

    def _grammatical(self, logits: Any) -> int:
        token = self._draw(logits, masked=False)
        self.draws += 1
        if not self.allowed(token):
            self.refused += 1
            token = self._draw(logits, masked=True)
        return token

    def sample(self, ctx: Any, idx: int) -> int:
        import numpy as np

        C = self._C
        logits = np.ctypeslib.as_array(C.llama_get_logits_ith(ctx.ctx, idx), shape=(self.n_vocab,))
        token = self._grammatical(logits)
        if self.guard is not None and self.piece is not None:
            own = None
            for _ in range(GUARD_REDRAWS):
                if self.guard.allows(self.piece(token), redrawn=own is not None):
                    break
                self.guard.refused += 1
                own = logits.copy() if own is None else own  # never write into the context's logits
                own[token] = -np.inf
                token = self._grammatical(own)
            self.guard.accept(self.piece(token), redrawn=own is not None)
        if self.grammar is not None:
            C.llama_sampler_accept(self.grammar, token)
        C.llama_sampler_accept(self.chain.sampler, token)
        return token

    def close(self) -> None:
        if self.grammar is not None:
            self._C.llama_sampler_free(self.grammar)
            self.grammar = None
        self.chain.close()

    def __del__(self) -> None:
        self.close()


def fast_llama_class(grammar_first: bool) -> type:
    """A ``llama_cpp.Llama`` that samples grammar-first (when asked) and records the prompt prefix it reuses."""
    import llama_cpp
    from llama_cpp import llama_cpp as C

    class BriefcastLlama(llama_cpp.Llama):
        _guard: CopyGuard | None = None  # the guard for the generation being set up (generate -> _init_sampler)

        def _init_sampler(self, *args: Any, grammar: Any = None, **kwargs: Any) -> Any:
            guard, self._guard = self._guard, None
            piece = (lambda token: self.detokenize([token])) if guard is not None else None
            if grammar is None or not grammar_first:
                chain = super()._init_sampler(*args, grammar=grammar, **kwargs)  # type: ignore[misc]
                return chain if guard is None else GrammarFirstSampler(chain, None, self._n_vocab, guard, piece)
            chain = super()._init_sampler(*args, grammar=None, **kwargs)  # type: ignore[misc]
            checker = C.llama_sampler_init_grammar(
                self._model.vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8"))
            if not checker:
                raise ValueError("llama.cpp refused the JSON-schema grammar")
            return GrammarFirstSampler(chain, checker, self._n_vocab, guard, piece)

        def generate(self, tokens: Sequence[int], *args: Any, **kwargs: Any) -> Any:
            stats = _request_stats.get()
            self._guard = None
            if stats is not None and stats.get("guard"):
                prompt = self.detokenize(list(tokens)).decode("utf-8", "ignore")
                self._guard = stats["guard_used"] = CopyGuard.from_prompt(prompt, str(stats["guard"]))
            if stats is not None:
                reused = 0
                if kwargs.get("reset", True) and self.n_tokens > 0:
                    for a, b in zip(self._input_ids, tokens, strict=False):
                        if a != b:
                            break
                        reused += 1
                # llama-cpp-python re-evaluates the last token when the whole prompt matched (fresh logits).
                stats["cached_tokens"] = min(reused, max(0, len(tokens) - 1))
            return super().generate(tokens, *args, **kwargs)

        def eval(self, tokens: Sequence[int]) -> None:
            """``Llama.eval`` for speculative decoding without ``logits_all``'s costs: llama-cpp-python turns
            ``logits_all`` on whenever a draft model is set, computing the output layer for every prompt token and
            copying every position's logits into an n_ctx x vocabulary array (2.4 GB at 4,096). Sampling needs
            logits only where it samples: every position of a short speculative step, the last one otherwise."""
            if self.draft_model is None:
                super().eval(tokens)
                return
            step = int(getattr(self.draft_model, "num_pred_tokens", 10)) + 1
            self._ctx.kv_cache_seq_rm(-1, self.n_tokens, -1)
            for i in range(0, len(tokens), self.n_batch):
                batch = tokens[i : min(len(tokens), i + self.n_batch)]
                n_past = self.n_tokens
                self._batch.set_batch(batch=batch, n_past=n_past, logits_all=len(tokens) <= step)
                self._ctx.decode(self._batch)
                self.input_ids[n_past : n_past + len(batch)] = batch
                self.n_tokens += len(batch)
                self._requires_eval = False

    return BriefcastLlama


class StatsHeaders:
    """ASGI wrapper: a stats holder per request, sent back as headers when the response starts."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        stats: dict[str, Any] = {}
        for name, value in scope.get("headers", []):
            if name == GUARD_HEADER:
                stats["guard"] = value.decode("latin-1")[:100]
        token = _request_stats.set(stats)

        async def send_with_stats(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and "cached_tokens" in stats:
                headers = list(message.get("headers", []))
                headers.append((CACHED_HEADER, str(stats["cached_tokens"]).encode()))
                if stats.get("guard_used") is not None:
                    headers.append((REFUSED_HEADER, str(stats["guard_used"].refused).encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_stats)
        finally:
            _request_stats.reset(token)


def _flag(value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {value!r}")


def main(argv: list[str] | None = None) -> None:
    import llama_cpp
    import uvicorn
    from llama_cpp.server.app import create_app
    from llama_cpp.server.cli import add_args_from_model, parse_model_from_args
    from llama_cpp.server.settings import ModelSettings, ServerSettings, Settings

    parser = argparse.ArgumentParser(description="briefcast's embedded model server")
    parser.add_argument("--grammar_first", type=_flag, default=True,
                        help="check the sampled token against the grammar before masking the vocabulary")
    add_args_from_model(parser, Settings)
    args = parser.parse_args(argv)
    watch_lifeline_from_env()
    server: Any = parse_model_from_args(ServerSettings, args)
    model: Any = parse_model_from_args(ModelSettings, args)
    # The server builds its model with llama_cpp.Llama(...): ours, in this process only.
    llama_cpp.Llama = fast_llama_class(args.grammar_first)  # type: ignore[misc, assignment]
    app = StatsHeaders(create_app(server_settings=server, model_settings=[model]))
    uvicorn.run(app, host=server.host, port=server.port, log_level="warning")


if __name__ == "__main__":
    main()
    sys.exit(0)
