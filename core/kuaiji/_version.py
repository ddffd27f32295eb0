"""The core's version (one place; ``kuaiji.__version__`` re-exports it)."""

__version__ = "0.2.0"
