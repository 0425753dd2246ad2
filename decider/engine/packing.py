"""Summed rule effects packed into one integer, so that the counting adds effects by adding integers."""

from __future__ import annotations

from math import gcd


class Packing:
    """Summed effects packed into one non-negative integer, a field per quantity, wide enough never to
    carry, so that adding effects is adding integers.  Fields: per approach its support and oppose
    totals (or, without a conflict discount, its net score plus a per-rule offset), how many rules
    exclude it, how many rules weighed, and how many rules were added (to remove the offsets)."""

    def __init__(self, approaches: list[str], effects: dict[int, tuple[dict[str, int], dict[str, int], tuple[str, ...]]],
                 separate: bool) -> None:
        self.approaches = approaches
        self.separate = separate
        unit = 0
        for plus, minus, _ in effects.values():
            for w in (*plus.values(), *minus.values()):
                unit = gcd(unit, w)
        self.unit = unit or 1
        rules = len(effects) + 1
        largest = max((w // self.unit for plus, minus, _ in effects.values() for w in (*plus.values(), *minus.values())),
                      default=1)
        total = sum(w // self.unit for plus, minus, _ in effects.values() for w in (*plus.values(), *minus.values()))
        # every net score lies within ±total, so one offset of `total` keeps any sum's field non-negative
        self.offset = 0 if separate else total + 1
        top = rules * (2 * (total + largest) + 2)
        self.bits = top.bit_length() + 1
        self.count_bits = rules.bit_length() + 1
        fields = 2 * len(approaches) if separate else len(approaches)
        self.shifts = [k * self.bits for k in range(fields)]
        start = fields * self.bits
        self.exclusion_shifts = [start + k * self.count_bits for k in range(len(approaches))]
        self.weighed_shift = start + len(approaches) * self.count_bits
        self.added_shift = self.weighed_shift + self.count_bits
        self.count_mask = (1 << self.count_bits) - 1
        self.score_mask = (1 << start) - 1
        self.flag_shifts = (*self.exclusion_shifts, self.weighed_shift)
        self.offsets = sum(self.offset << shift for shift in self.shifts)
        self.field_mask = (1 << self.bits) - 1
        self.layout = [(self.shifts[k], self.shifts[fields // 2 + k] if separate else -1, self.exclusion_shifts[k])
                       for k in range(len(approaches))]
        """Per approach (in order): the shift of its support field (its net score without `separate`),
        of its oppose field (-1 without `separate`) and of its exclusion count."""

    def pack(self, plus: dict[str, int], minus: dict[str, int], excludes: tuple[str, ...]) -> int:
        key = 0
        n = len(self.approaches)
        for k, a in enumerate(self.approaches):
            if self.separate:
                key += (plus.get(a, 0) // self.unit) << self.shifts[k]
                key += (minus.get(a, 0) // self.unit) << self.shifts[n + k]
            else:
                key += ((plus.get(a, 0) - minus.get(a, 0)) // self.unit + self.offset) << self.shifts[k]
            key += excludes.count(a) << self.exclusion_shifts[k]
        return key + (int(bool(plus or minus)) << self.weighed_shift) + (1 << self.added_shift)

    def canonical(self, key: int) -> int:
        """The same effects as one packed contribution (counts reduced to 0/1, one offset per score), so
        that sums that differ only in how many rules were added, excluded or weighed merge into one entry."""
        added = (key >> self.added_shift) & self.count_mask
        if not self.separate:
            key -= (added - 1) * self.offsets
        flags = 0
        for shift in self.flag_shifts:
            if (key >> shift) & self.count_mask:
                flags |= 1 << shift
        return (key & self.score_mask) | flags | (1 << self.added_shift)


__all__ = ["Packing"]
