"""One widget per module; each draws one part of a :class:`~tui.session.views.Snapshot`."""
