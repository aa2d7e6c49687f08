"""`python -m onna_tui` runs the same entry point as the `onna-tui` script."""

from onna_tui.cli import main

raise SystemExit(main())
