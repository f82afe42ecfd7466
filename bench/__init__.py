"""Benchmarks: each module has ``run() -> list[dict]``; ``python -m bench`` runs them all and prints one table."""
