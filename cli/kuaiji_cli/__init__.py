"""The `kuaiji` command line."""
