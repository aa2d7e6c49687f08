"""The sandbox's one random source: seeded, it makes the same ids twice."""

from __future__ import annotations

from onna_tui.core.clock import ManualClock
from onna_tui.sandbox.randomness import SeededRandom
from onna_tui.sandbox.state import SandboxState


def test_states_with_the_same_seed_make_the_same_workspace_ids() -> None:
    def ids(seed: int) -> list[str]:
        state = SandboxState(clock=ManualClock(), random=SeededRandom(seed))
        return [state.create_workspace(name).onna_id for name in ("Matter one", "Matter two")]

    first, again = ids(7), ids(7)
    assert first == again
    assert all(onna_id.startswith("matter") for onna_id in first)
    assert ids(8) != first
