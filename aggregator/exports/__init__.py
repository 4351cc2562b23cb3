"""Exports: writers that take stored items and stream a format (feeds, CSV, JSON Lines,
bulletins), and the export run that chooses the items and records what each consumer was sent.
"""
