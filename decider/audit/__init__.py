"""Auditing recorded decisions: read traces and decision logs, verify them by replay, show them, and
diff the advice of two rulebase versions over recorded cases."""
