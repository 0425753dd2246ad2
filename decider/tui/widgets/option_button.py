"""The options of a question: a radio button whose label wraps, and a set that starts on the answer given."""

from __future__ import annotations

from typing import Self

from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget
from textual.widgets import RadioButton, RadioSet


class OptionButton(RadioButton):
    """One option of a question; grows to as many lines as its label needs at the current width."""

    class Kept(Message):
        """The answer already given was chosen again (Enter, space or a click): keep it and go on."""

        def __init__(self, button: OptionButton) -> None:
            super().__init__()
            self.button = button

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, Widget.get_content_height(self, container, viewport, width))  # skip ToggleButton's fixed 1

    def toggle(self) -> Self:
        """Pressing the option already pressed keeps it (a radio set would silently ignore it)."""
        if self.value:
            self.post_message(self.Kept(self))
            return self
        return super().toggle()


class OptionSet(RadioSet):
    """The options; the highlight starts on the answer already given (Textual's starts on the first
    option, so Enter on a reopened question silently changed the answer to option 1)."""

    def on_mount(self) -> None:
        self.call_next(self._start_on_pressed)  # after RadioSet's own mount handler has set the highlight

    def _start_on_pressed(self) -> None:
        if self.pressed_index >= 0:
            self._selected = self.pressed_index  # as RadioSet itself does when a button is pressed
