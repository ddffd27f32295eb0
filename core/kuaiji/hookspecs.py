"""Deprecated alias: moved to :mod:`kuaiji.registry.hookspecs` in 0.2.0; goes in 0.3.0."""

from kuaiji._moved import moved

__getattr__ = moved(__name__, "kuaiji.registry.hookspecs")
