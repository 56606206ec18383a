"""Processes and shared state: worker processes, approximate indexes and their registry."""
