"""briefcast: a daily AI news brief as a newsletter and a podcast episode."""

__version__ = "0.1.0"
