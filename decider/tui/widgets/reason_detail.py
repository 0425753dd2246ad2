"""The highlighted reason of the HOW tree in full (the tree shows one line of each, cut at the screen's edge)."""

from __future__ import annotations

from decider.tui.widgets.in_view import InView


class ReasonDetail(InView):
    """Shows one reason wrapped, and stays in view while the tree is being read (also when it grows)."""

    def following(self) -> bool:
        focused = self.screen.focused
        return focused is not None and focused.id == "how"
