"""The conformance suite every province package runs in its own CI::

    # tests/test_<name>_conformance.py
    from kuaiji.testing import conformance

    test_conformance = conformance("<name>")

Each check loads the plugin with a fresh plugin manager (all installed plugins, as users
run it) and asserts: it loads without problems; the validator (:mod:`kuaiji.authoring.validate`)
finds nothing, its example cases included; every hook it implements, called for each region
it serves, each exam level and year of the data, each state of the candidate's record (none,
submitted, approved, held in another province) and moments before, during and after the
registration window, answers with the declared records, without raising, only about its own
regions; the rule ids it reports are documented; and a precheck of each of those candidates
does not fail in a plugin. ``kuaiji plugins check`` runs the same exercise. pytest is needed
only here.
"""

from kuaiji.authoring.conformance import AT, CHECKS, conformance, minimal_candidate, run

__all__ = ["AT", "CHECKS", "conformance", "minimal_candidate", "run"]
