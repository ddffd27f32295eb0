"""Deprecated alias: moved to :mod:`kuaiji.commands.precheck`, :mod:`kuaiji.commands.plans`, :mod:`kuaiji.registry.schedules` in 0.2.0; goes in 0.3.0."""

from kuaiji._moved import moved

__getattr__ = moved(
    __name__,
    "kuaiji.commands.precheck",
    "kuaiji.commands.plans",
    "kuaiji.registry.schedules",
)
