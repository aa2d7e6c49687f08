"""The app's controller, in three layers of one class chain (`OnnaApp` is the last).

- ``state``: `AppState`: what the app holds (settings, session, profiles, the
  signals screens listen to) and how it reports an error (a toast, never markup);
- ``tokens``: `TokenControl`: mint, forget and renew the active session's token;
- ``sessions``: `SessionControl`: read the profiles, open and switch sessions,
  start the sandbox, and hand over from the start or welcome screen.

Screens and widgets see all of it through `onna_tui.tui.services.AppServices`,
never through these classes. Each is an `App`, so Textual's workers and
``@on`` handlers work as they do on the app itself.
"""
