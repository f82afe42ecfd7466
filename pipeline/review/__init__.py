"""Editor review: the workflow (status, edits, regenerate), draft.md round trip, and the local web app.

The CLI and the web app both call :mod:`pipeline.review.workflow`; neither touches episode files directly.
"""

from pipeline.review.draftmd import parse_draft_md, render_draft_md, write_draft_md

__all__ = ["parse_draft_md", "render_draft_md", "write_draft_md"]
