"""Widgets shared by the screens: the status bar, the token countdown, forms and dialogs."""
