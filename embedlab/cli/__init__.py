"""The ``python -m embedlab`` command line."""
