"""The screens: welcome, credentials, token and workspaces, plus their dialogs."""
