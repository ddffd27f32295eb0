from kuaiji.testing import conformance

test_conformance = conformance("shenzhen")
