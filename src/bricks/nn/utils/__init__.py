"""Utilities on parameters: gradient clipping, vector conversion."""
