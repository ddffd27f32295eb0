"""The conformance suite every province package runs in its own CI::

    # tests/test_<name>_conformance.py
    from kuaiji.testing import conformance

    test_conformance = conformance("<name>")

Each check loads the plugin with a fresh plugin manager (all installed plugins, as users
run it) and asserts: it loads without problems; the validator (:mod:`kuaiji.authoring.validate`)
finds nothing, its example cases included; every check and plan hook returns the declared
record types on a minimal candidate of each region it serves; the rule ids it reports are
documented; and a precheck of that candidate does not raise. pytest is needed only here.
"""

from kuaiji.authoring.conformance import AT, CHECKS, conformance, minimal_candidate, run

__all__ = ["AT", "CHECKS", "conformance", "minimal_candidate", "run"]
