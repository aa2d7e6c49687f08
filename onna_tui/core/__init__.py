"""Values and rules with no I/O: pydantic and the standard library only.

Every other layer may import core; core imports none of them (see the
import-linter contracts in pyproject.toml).
"""
