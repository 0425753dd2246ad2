"""The interview: which question to ask next, what each answer would lead to, and a saved interview on disk."""
