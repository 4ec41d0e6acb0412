"""Runnable examples referred to by the README (not part of the installed package)."""
