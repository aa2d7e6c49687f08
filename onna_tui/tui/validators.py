"""Textual validators for the forms; the same rules the pydantic models apply, said in words."""

from __future__ import annotations

from textual.validation import ValidationResult, Validator

from onna_tui.core.profile_rules import PROFILE_NAME


class NotBlank(Validator):
    """Something other than spaces."""

    def __init__(self, what: str) -> None:
        super().__init__(failure_description=f"{what} is required.")

    def validate(self, value: str) -> ValidationResult:
        return self.success() if value.strip() else self.failure()


class Tags(Validator):
    """Comma-separated tags: no empty tag between two commas, at most the spec's 10,000."""

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.success()
        parts = [part.strip() for part in value.split(",")]
        # A trailing comma is forgiven ("a, b,"); an empty tag in the middle is a typo.
        if parts and parts[-1] == "":
            parts = parts[:-1]
        if any(not part for part in parts):
            return self.failure("A tag is empty: remove the extra comma.")
        if len(parts) > 10000:
            return self.failure("At most 10,000 tags.")
        return self.success()


def split_tags(value: str) -> list[str]:
    """The tags in a comma-separated field, trimmed, empties dropped."""
    return [part.strip() for part in value.split(",") if part.strip()]


class ProfileName(Validator):
    def validate(self, value: str) -> ValidationResult:
        if PROFILE_NAME.fullmatch(value.strip()):
            return self.success()
        return self.failure("Use 1 to 64 letters, digits, '-', '_' or '.' (e.g. prod).")


class BaseUrl(Validator):
    """An http(s) API root; plain http only for this machine (the service layer's rule)."""

    def validate(self, value: str) -> ValidationResult:
        from onna_tui.core.errors import ConfigError
        from onna_tui.core.urls import normalize_base_url

        try:
            normalize_base_url(value)
        except ConfigError as exc:
            return self.failure(str(exc))
        return self.success()


class ClientId(Validator):
    def validate(self, value: str) -> ValidationResult:
        text = value.strip()
        if not text:
            return self.failure("The client id is required.")
        if any(ch.isspace() for ch in text) or len(text) > 256:
            return self.failure("The client id is one word (no spaces), as shown in Onna.")
        return self.success()


#: The longest organisation name accepted: an ORG is a short name, never a pasted key.
ORG_MAX_LENGTH = 40


class Organisation(Validator):
    """The ORG of enterprise.onna.com/ORG (or that URL). The value is never quoted back:
    a secret pasted into the wrong field must not be repeated in the message."""

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.success()
        from onna_tui.core.profile_rules import normalize_org

        try:
            org = normalize_org(value)
        except ValueError:
            return self.failure(
                "Not an organisation: give the ORG in enterprise.onna.com/ORG (letters, "
                "digits, '-', '_' or '.'), e.g. ACMECORP, or leave it empty."
            )
        if len(org) > ORG_MAX_LENGTH:
            return self.failure(
                f"Too long for an organisation ({len(org)} characters, at most "
                f"{ORG_MAX_LENGTH}): give the ORG in enterprise.onna.com/ORG, e.g. ACMECORP. "
                "A client secret goes under Client secret."
            )
        return self.success()
