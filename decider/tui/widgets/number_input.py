"""A number field that turns `?` (never part of a number) into a request for WHY."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input


class NumberInput(Input):
    """Input for numbers; `?` posts WhyRequested instead of being swallowed as a rejected character."""

    class WhyRequested(Message):
        """The user pressed `?` in the number field."""

    async def _on_key(self, event: events.Key) -> None:
        if event.character == "?":
            event.prevent_default()  # skip Input's own key handling
            event.stop()
            self.post_message(self.WhyRequested())
