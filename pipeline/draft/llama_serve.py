"""The embedded model server: llama-cpp-python's OpenAI server with three changes, run by ``local.serve_local``.

    BRIEFCAST_LIFELINE_FD=FD python -m pipeline.draft.llama_serve [--grammar_first true] <llama_cpp.server args>

- **The grammar checks the sampled token, not the vocabulary** (what llama.cpp's own server does): llama-cpp-python
  puts the JSON-schema grammar in the sampler chain, so every token drawn first tests all 151,936 vocabulary
  entries against the grammar (measured: about 30 ms a token against 1.5 ms without). Here the plain chain draws a
  token, the grammar alone checks that one token, and only when it refuses is the vocabulary masked and the token
  drawn again from what the grammar allows. Answers still always match the schema.
- **Cached prompt tokens are reported**: the server's ``usage`` has no such count, so the length of the prompt
  prefix reused from the previous call's KV cache is sent back in the ``x-briefcast-cached-tokens`` header.
- **A lifeline**: the parent keeps the write end of a pipe whose read end is ``BRIEFCAST_LIFELINE_FD``. When the parent
  dies, however it dies (kill -9 included), the kernel closes its end, the read here sees end-of-file and the
  server exits at once: no orphaned server holding 1-2 GB, no second one beside it on the next run.
"""

from __future__ import annotations

import argparse
import contextvars
import ctypes
import math
import os
import sys
import threading
from collections.abc import Sequence
from typing import Any

LIFELINE_EXIT = 75  # the exit code when the parent is gone
LIFELINE_ENV = "BRIEFCAST_LIFELINE_FD"
CACHED_HEADER = b"x-briefcast-cached-tokens"

# One holder per HTTP request (set by the ASGI wrapper; the completion runs in a worker thread, which gets a copy
# of the request's context and so the same holder).
_request_stats: contextvars.ContextVar[dict[str, int] | None] = contextvars.ContextVar("briefcast_stats",
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


class GrammarFirstSampler:
    """Draw with the plain chain, check the one token against the grammar, mask the vocabulary only on refusal.

    Duck-types ``llama_cpp._internals.LlamaSampler`` as ``Llama.sample`` uses it (``sample(ctx, idx)``)."""

    def __init__(self, chain: Any, grammar: Any, n_vocab: int) -> None:
        import numpy as np
        from llama_cpp import llama_cpp as C

        self._C = C
        self.chain = chain  # a LlamaSampler without the grammar (owns its C chain)
        self.grammar = grammar  # a bare llama_sampler* for the grammar
        self.n_vocab = n_vocab
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
        if masked:
            C.llama_sampler_apply(self.grammar, ctypes.byref(candidates))
        C.llama_sampler_apply(self.chain.sampler, ctypes.byref(candidates))
        return int(candidates.data[candidates.selected].id)

    def allowed(self, token: int) -> bool:
        """Whether the grammar, in its current state, accepts ``token`` next."""
        self._one[0].id, self._one[0].logit, self._one[0].p = token, 0.0, 0.0  # type: ignore[assignment]
        one = self._array(self._one, 1)
        self._C.llama_sampler_apply(self.grammar, ctypes.byref(one))
        return not math.isinf(one.data[0].logit)

    def sample(self, ctx: Any, idx: int) -> int:
        import numpy as np

        C = self._C
        logits = np.ctypeslib.as_array(C.llama_get_logits_ith(ctx.ctx, idx), shape=(self.n_vocab,))
        token = self._draw(logits, masked=False)
        self.draws += 1
        if not self.allowed(token):
            self.refused += 1
            token = self._draw(logits, masked=True)
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
        def _init_sampler(self, *args: Any, grammar: Any = None, **kwargs: Any) -> Any:
            if grammar is None or not grammar_first:
                return super()._init_sampler(*args, grammar=grammar, **kwargs)  # type: ignore[misc]
            chain = super()._init_sampler(*args, grammar=None, **kwargs)  # type: ignore[misc]
            checker = C.llama_sampler_init_grammar(
                self._model.vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8"))
            if not checker:
                raise ValueError("llama.cpp refused the JSON-schema grammar")
            return GrammarFirstSampler(chain, checker, self._n_vocab)

        def generate(self, tokens: Sequence[int], *args: Any, **kwargs: Any) -> Any:
            stats = _request_stats.get()
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
        stats: dict[str, int] = {}
        token = _request_stats.set(stats)

        async def send_with_stats(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and "cached_tokens" in stats:
                headers = list(message.get("headers", []))
                headers.append((CACHED_HEADER, str(stats["cached_tokens"]).encode()))
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
