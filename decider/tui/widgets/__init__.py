"""Widgets of the interview."""
