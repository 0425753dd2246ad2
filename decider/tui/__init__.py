"""The Textual interview (the only package that imports textual)."""
