"""What changed between two rulebases: rules added, removed or changed (by canonical JSON, RFC 8785), and other sections."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from decider.canonical import canonical_json
from decider.rulebase.model import Rulebase

_SECTIONS = ("meta", "sources", "questions", "figures", "conclusions", "approaches", "policy")


class RulebaseChanges(BaseModel):
    """Rule ids added, removed and changed from `old` to `new`; other sections whose content changed."""

    model_config = ConfigDict(frozen=True)

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    reordered: bool = False

    def describe(self) -> str:
        parts = []
        for label, ids in (("rules added", self.added), ("rules removed", self.removed), ("rules changed", self.changed)):
            if ids:
                parts.append(f"{label}: {', '.join(ids)}")
        if self.reordered:
            parts.append("rule order changed")
        if self.sections:
            parts.append(f"other sections changed: {', '.join(self.sections)}")
        return "; ".join(parts) or "no difference in content"


def rulebase_changes(old: Rulebase, new: Rulebase) -> RulebaseChanges:
    """Compare two rulebases rule by rule (canonical JSON of each rule) and section by section."""
    old_dump, new_dump = old.model_dump(mode="json"), new.model_dump(mode="json")
    old_rules = {r["id"]: canonical_json(r) for r in old_dump["rules"]}
    new_rules = {r["id"]: canonical_json(r) for r in new_dump["rules"]}
    kept_old = [rid for rid in old_rules if rid in new_rules]
    kept_new = [rid for rid in new_rules if rid in old_rules]
    return RulebaseChanges(
        added=tuple(rid for rid in new_rules if rid not in old_rules),
        removed=tuple(rid for rid in old_rules if rid not in new_rules),
        changed=tuple(rid for rid in kept_new if old_rules[rid] != new_rules[rid]),
        sections=tuple(s for s in _SECTIONS if canonical_json(old_dump.get(s)) != canonical_json(new_dump.get(s))),
        reordered=kept_old != kept_new,
    )
