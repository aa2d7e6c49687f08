"""The sandbox over HTTP: one module per resource's routes, the admin surface, the middleware.

The app itself is assembled in ``onna_tui.sandbox.app``.
"""
