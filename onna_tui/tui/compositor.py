"""A compositor whose partial updates render only the widgets under the changed area.

Textual 8.2.8 (pinned exactly in pyproject.toml) draws a partial update — the
countdown's digits and the status bar's token changing once a second — by
rendering every visible widget whose *clip* (its container's region) overlaps
the box around the changed regions, each in full: on the Token screen that is all twenty-odd
widgets, about 180 lines from their caches, every second, to repaint a handful
of cells. ``CroppedCompositor`` renders, for a partial update, only the widgets
whose visible region overlaps one of the changed regions, and only the rows of
theirs that those regions span.

The terminal receives the same bytes: an update writes only the cells of the
changed regions' spans, and every such cell belongs to widgets overlapping a
changed region, so a widget left out could not have drawn a written cell
(tests/ui/test_cropped_compositor.py renders every partial update of a session
both ways and compares the output). Full and layout updates are Textual's own.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip


class CroppedCompositor(Compositor):
    """Textual's Compositor, rendering a partial update's widgets cropped to its rows."""

    def __init__(self) -> None:
        super().__init__()
        #: The regions of the partial update being rendered (None: any other render).
        self._updating: list[Region] | None = None

    def render_partial_update(self) -> ChopsUpdate | None:
        self._updating = list(self._dirty_regions)
        try:
            return super().render_partial_update()
        finally:
            self._updating = None

    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterable[tuple[Region, Region, list[Strip]]]:
        updating = self._updating
        if not crop or not updating:
            yield from super()._get_renders(crop)
            return
        for widget, (region, clip) in self.visible_widgets.items():
            visible = region.intersection(clip)
            under = [changed for changed in updating if visible.overlaps(changed)]
            if not under:
                continue
            # Whole rows of the widget (a line's cuts are the widgets' edges, not the
            # changed regions'), those the changed regions under it span.
            y1 = max(visible.y, min(changed.y for changed in under))
            y2 = min(visible.bottom, max(changed.bottom for changed in under))
            rows = Region(visible.x, y1, visible.width, y2 - y1)
            lines = widget.render_lines(
                Region(rows.x - region.x, rows.y - region.y, rows.width, rows.height)
            )
            yield rows, rows, lines
