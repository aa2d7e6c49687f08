"""What this machine remembers about the contents it put into workspaces, in the user's state
directory (``ONNA_TUI_STATE_DIR``, else platformdirs' user state dir for onna-tui):

- ``created.json``: the folders, files and tickets created from here, per API base URL,
  with their parent and workspace, because the API (v1.1.0) cannot list them.
- ``uploads.json``: the uploads not finished yet, so ``onna-tui upload --resume``
  can go on: the file resource, the local path, its size and modification time when
  the upload began, and the last offset the server confirmed.

Neither holds a secret: no token, no client secret, no client id. Every change is a
read-modify-write under a cross-process lock, written atomically (0600), so two
runs cannot lose each other's records and a crash leaves the old file whole.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from onna_tui.errors import ExitCode, OnnaTuiError
from onna_tui.storage.files import atomic_write
from onna_tui.storage.locks import LockBusy, hold

ENV_STATE_DIR = "ONNA_TUI_STATE_DIR"
FORMAT_VERSION = 1
_WAIT = 10.0

Kind = Literal["folder", "file", "ticket"]


class RecordsError(OnnaTuiError):
    """The state directory cannot be read or written; the message says what to do."""

    title = "Local records"
    exit_code = ExitCode.STORAGE


def default_state_dir() -> Path:
    override = os.environ.get(ENV_STATE_DIR, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_state_dir("onna-tui", appauthor=False))


@dataclass
class CreatedItem:
    """A folder, file or ticket created from this machine."""

    base_url: str
    onna_id: str
    kind: Kind
    name: str
    parent_id: str
    #: The workspace it is in ("" when its parent was not created from here).
    workspace_id: str
    created_at: str
    size: int | None = None
    sha256: str | None = None
    #: For files: "uploaded", "partial" (upload not finished) or "empty" (no content sent).
    content: str = ""


@dataclass
class PendingUpload:
    """An upload that has not finished: what ``upload --resume`` needs, and no secret."""

    base_url: str
    profile: str
    onna_id: str
    parent_id: str
    path: str
    size: int
    mtime_ns: int
    offset: int
    name: str
    chunk_size: int
    started_at: str
    extra: dict[str, Any] = field(default_factory=dict)


class _JsonFile:
    """A JSON list under a lock: ``change`` reads, lets a function edit, and writes."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> list[dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RecordsError(
                f"{self.path} cannot be read ({exc}). Move it aside to start afresh; "
                "nothing on the server is affected."
            ) from None
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise RecordsError(f"{self.path} is not an onna-tui records file; move it aside.")
        return [item for item in items if isinstance(item, dict)]

    def read(self) -> list[dict[str, Any]]:
        return self._read()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with hold(self.path.with_name(self.path.name + ".lock"), _WAIT):
                yield
        except LockBusy:
            raise RecordsError(
                f"{self.path} stayed locked by another onna-tui for {_WAIT:g} s; try again."
            ) from None
        except OSError as exc:
            raise RecordsError(
                f"{self.path.parent} cannot be written ({exc.strerror}). Set "
                f"{ENV_STATE_DIR} to a writable directory."
            ) from None

    def change(self, edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
        with self._locked():
            items = edit(self._read())
            body = {"format": "onna-tui-records", "version": FORMAT_VERSION, "items": items}
            try:
                atomic_write(self.path, json.dumps(body, indent=1).encode("utf-8"))
            except OSError as exc:
                raise RecordsError(f"{self.path} cannot be written ({exc.strerror}).") from None


def _build(cls: Any, raw: dict[str, Any]) -> Any:
    names = cls.__dataclass_fields__
    try:
        return cls(**{k: v for k, v in raw.items() if k in names})
    except TypeError:
        return None


class CreatedRecords:
    """The contents created from this machine (``created.json``)."""

    def __init__(self, directory: Path | None = None) -> None:
        self._file = _JsonFile((directory or default_state_dir()) / "created.json")

    @property
    def path(self) -> Path:
        return self._file.path

    def all(self, base_url: str) -> list[CreatedItem]:
        items = [_build(CreatedItem, raw) for raw in self._file.read()]
        return [i for i in items if i is not None and i.base_url == base_url]

    def workspace_of(self, base_url: str, parent_id: str) -> str:
        """The workspace of a new item under ``parent_id``: its folder's, or the parent itself
        (a parent not created from here is taken to be a workspace)."""
        for item in self.all(base_url):
            if item.onna_id == parent_id:
                return item.workspace_id
        return parent_id

    def add(self, item: CreatedItem) -> None:
        def edit(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            kept = [i for i in items if (i.get("base_url"), i.get("onna_id")) != _key(item)]
            return [*kept, asdict(item)]

        self._file.change(edit)

    def update(self, base_url: str, onna_id: str, **changes: Any) -> None:
        def edit(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            for raw in items:
                if (raw.get("base_url"), raw.get("onna_id")) == (base_url, onna_id):
                    raw.update(changes)
            return items

        self._file.change(edit)

    def forget(self, base_url: str, onna_id: str) -> list[str]:
        """Forget an item and everything recorded under it (a deleted folder); their ids."""
        gone: list[str] = []

        def edit(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            doomed = {onna_id}
            grew = True
            while grew:
                grew = False
                for raw in items:
                    if raw.get("base_url") == base_url and raw.get("parent_id") in doomed:
                        if raw.get("onna_id") not in doomed:
                            doomed.add(str(raw.get("onna_id")))
                            grew = True
            gone.extend(
                str(r["onna_id"])
                for r in items
                if r.get("base_url") == base_url and r.get("onna_id") in doomed
            )
            return [
                r
                for r in items
                if not (r.get("base_url") == base_url and r.get("onna_id") in doomed)
            ]

        self._file.change(edit)
        return gone

    def forget_workspace(self, base_url: str, workspace_id: str) -> None:
        self._file.change(
            lambda items: [
                r
                for r in items
                if not (r.get("base_url") == base_url and r.get("workspace_id") == workspace_id)
            ]
        )


def _key(item: CreatedItem | PendingUpload) -> tuple[str, str]:
    return item.base_url, item.onna_id


class PendingUploads:
    """The uploads not finished yet (``uploads.json``)."""

    def __init__(self, directory: Path | None = None) -> None:
        self._file = _JsonFile((directory or default_state_dir()) / "uploads.json")

    @property
    def path(self) -> Path:
        return self._file.path

    def all(self) -> list[PendingUpload]:
        items = [_build(PendingUpload, raw) for raw in self._file.read()]
        return [i for i in items if i is not None]

    def save(self, upload: PendingUpload) -> None:
        def edit(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            kept = [i for i in items if (i.get("base_url"), i.get("onna_id")) != _key(upload)]
            return [*kept, asdict(upload)]

        self._file.change(edit)

    def set_offset(self, base_url: str, onna_id: str, offset: int) -> None:
        def edit(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            for raw in items:
                if (raw.get("base_url"), raw.get("onna_id")) == (base_url, onna_id):
                    raw["offset"] = offset
            return items

        self._file.change(edit)

    def done(self, base_url: str, onna_id: str) -> None:
        self._file.change(
            lambda items: [
                i for i in items if (i.get("base_url"), i.get("onna_id")) != (base_url, onna_id)
            ]
        )
