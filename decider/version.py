"""The decider version: the one place it is written (pyproject reads it through hatch); recorded in every trace."""

__version__ = "0.2.0"
