"""Shared test setup: this folder is on ``sys.path``, so tests import ``edge_values``."""
