"""The decision policy: which approach the evidence supports, how robust and how sure it is, and the trace that records it."""
