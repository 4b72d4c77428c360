"""Layers, one file per family."""
__all__: list[str] = []
