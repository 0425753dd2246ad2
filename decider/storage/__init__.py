"""Files decider writes and reads back: atomic writes and the append-only decision log."""
