"""Screens of the interview: question, WHY, results."""
