"""A radio button whose label wraps (Textual's stays one line and cuts long option labels)."""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import RadioButton


class OptionButton(RadioButton):
    """One option of a question; grows to as many lines as its label needs at the current width."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, Widget.get_content_height(self, container, viewport, width))  # skip ToggleButton's fixed 1
