"""OnnaClient: one profile's view of the Onna Platform API, the facade over the
resource modules (api.health, api.users, api.workspaces, api.custom_fields,
api.contents, api.tus and api.upload).

``OnnaClient`` takes its collaborators in the constructor — base URL,
credentials, token cache, httpx transport or client, clock, sleep — so tests
can point it at the sandbox (over loopback or in-process) and move time by hand.
The request rules (retries, the 401 re-mint, limits) are in api.requester and
api.bearer; /health sends the token at hand, if any, and never mints for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING

import httpx

from onna_tui.api import health as health_calls
from onna_tui.api import users, workspaces
from onna_tui.api.cache import TokenCache
from onna_tui.api.http import make_http_client
from onna_tui.api.paging import DEFAULT_PAGE_LIMIT, PageTrail
from onna_tui.api.requester import MAX_RETRY_WAIT, DeleteOutcome, Requester, Sleep
from onna_tui.api.sending import DEFAULT_LIMITS, RequestLimits
from onna_tui.api.tokens import TokenManager
from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.token_rules import RENEWAL_MARGIN
from onna_tui.core.tokens import Credentials
from onna_tui.core.tus import DEFAULT_CHUNK_SIZE
from onna_tui.core.urls import normalize_base_url

if TYPE_CHECKING:
    # The content, custom-field and upload resources (and their wire models) load when
    # a call needs them: `workspace list` never pays for them.
    from pathlib import Path

    from onna_tui.api.custom_fields import FieldValue
    from onna_tui.api.upload import FileSignature, OffsetListener, Uploader
    from onna_tui.core.wire.auth import CurrentUser
    from onna_tui.core.wire.contents import (
        Created,
        FileDraft,
        FileResource,
        Folder,
        FolderDraft,
        Ticket,
        TicketDraft,
    )
    from onna_tui.core.wire.custom_fields import (
        CreatedCustomField,
        CustomField,
        CustomFieldDraft,
        CustomValue,
    )
    from onna_tui.core.wire.health import Health
    from onna_tui.core.wire.workspaces import (
        CreatedWorkspace,
        Page,
        PageItem,
        Workspace,
        WorkspaceDraft,
        WorkspaceUpdate,
    )

__all__ = ["DEFAULT_PAGE_LIMIT", "MAX_RETRY_WAIT", "DeleteOutcome", "OnnaClient", "Sleep"]


class OnnaClient:
    """One profile's view of the API: a base URL, credentials and their token manager."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials | None,
        *,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        token_cache: TokenCache | None = None,
        clock: Clock = system_clock,
        margin: float = RENEWAL_MARGIN,
        renew_early: bool = True,
        get_retries: int = 2,
        sleep: Sleep = asyncio.sleep,
        limits: RequestLimits = DEFAULT_LIMITS,
    ) -> None:
        base_url = normalize_base_url(base_url)
        self._owns_http = http is None
        http = http if http is not None else make_http_client(transport)
        self.credentials = credentials
        tokens = (
            TokenManager(
                http=http,
                base_url=base_url,
                credentials=credentials,
                cache=token_cache,
                clock=clock,
                margin=margin,
                renew_early=renew_early,
                limits=limits,
            )
            if credentials is not None
            else None
        )
        #: What every resource module sends through.
        self.api = Requester(
            base_url=base_url,
            http=http,
            limits=limits,
            clock=clock,
            tokens=tokens,
            get_retries=get_retries,
            sleep=sleep,
        )

    @property
    def base_url(self) -> str:
        return self.api.base_url

    @property
    def http(self) -> httpx.AsyncClient:
        return self.api.http

    @property
    def limits(self) -> RequestLimits:
        """The deadline and body-size cap of every request (see api.sending.send)."""
        return self.api.limits

    @property
    def clock(self) -> Clock:
        return self.api.clock

    @property
    def get_retries(self) -> int:
        return self.api.get_retries

    @property
    def tokens(self) -> TokenManager | None:
        return self.api.tokens

    def require_tokens(self) -> TokenManager:
        return self.api.require_tokens()

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()

    async def __aenter__(self) -> OnnaClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---------------------------------------------------------------- calls

    async def health(self) -> Health:
        """GET /health with the token at hand, if any (see api.health)."""
        return await health_calls.health(self.api)

    async def current_user(self) -> CurrentUser:
        """GET /oauth/user: who the token belongs to."""
        return await users.current_user(self.api)

    async def list_workspaces_page(self, cursor: str | None = None) -> Page:
        """One page of GET /workspaces; pass the previous page's cursor for the next."""
        return await workspaces.list_page(self.api, cursor)

    def iter_workspaces(self, *, page_limit: int = DEFAULT_PAGE_LIMIT) -> AsyncIterator[PageItem]:
        """Every workspace, following cursors until a page has none (see api.paging)."""
        return workspaces.iter_all(self.api, page_limit=page_limit)

    def iter_workspace_pages(
        self, *, page_limit: int = DEFAULT_PAGE_LIMIT, resume: PageTrail | None = None
    ) -> AsyncGenerator[Page]:
        """Every page of workspaces as it arrives (the CLI streams a page at a time); with
        ``resume``, from where that trail stopped (the CLI's quick pager hands over)."""
        return workspaces.iter_all_pages(self.api, page_limit=page_limit, resume=resume)

    async def create_workspace(self, draft: WorkspaceDraft) -> CreatedWorkspace:
        """POST /workspaces. Never retried after a timeout or dropped connection."""
        return await workspaces.create(self.api, draft)

    async def get_workspace(self, onna_id: str) -> Workspace:
        return await workspaces.get(self.api, onna_id)

    async def update_workspace(self, onna_id: str, update: WorkspaceUpdate) -> None:
        await workspaces.update(self.api, onna_id, update)

    async def delete_workspace(self, onna_id: str) -> DeleteOutcome:
        """DELETE, retried once after no answer; a 404 then is ``already_gone``."""
        return await workspaces.delete(self.api, onna_id)

    # --------------------------------------------------------- custom fields

    def iter_custom_fields(
        self, *, page_limit: int = DEFAULT_PAGE_LIMIT
    ) -> AsyncIterator[CustomField]:
        """Every custom field of the account (GET /customFields, paged)."""
        from onna_tui.api import custom_fields

        return custom_fields.iter_all(self.api, page_limit=page_limit)

    async def create_custom_field(self, draft: CustomFieldDraft) -> CreatedCustomField:
        """POST /customFields. Never retried after a timeout or dropped connection."""
        from onna_tui.api import custom_fields

        return await custom_fields.create(self.api, draft)

    def iter_workspace_custom_fields(
        self, onna_id: str, *, page_limit: int = DEFAULT_PAGE_LIMIT
    ) -> AsyncIterator[PageItem]:
        """The fields a workspace enabled (GET /workspaces/{id}/customFields, paged)."""
        from onna_tui.api import custom_fields

        return custom_fields.iter_enabled(self.api, onna_id, page_limit=page_limit)

    async def workspace_field_values(self, onna_id: str) -> list[FieldValue]:
        """The workspace's enabled fields with names, types and values (see field_values)."""
        from onna_tui.api import custom_fields

        return await custom_fields.field_values(self.api, onna_id)

    async def enable_custom_field(self, onna_id: str, field_id: str) -> None:
        from onna_tui.api import custom_fields

        await custom_fields.enable(self.api, onna_id, field_id)

    async def get_custom_value(self, onna_id: str, field_id: str) -> CustomValue:
        from onna_tui.api import custom_fields

        return await custom_fields.get_value(self.api, onna_id, field_id)

    async def set_custom_value(self, onna_id: str, field_id: str, value: str) -> None:
        from onna_tui.api import custom_fields

        await custom_fields.set_value(self.api, onna_id, field_id, value)

    # ------------------------------------------------------------- contents

    async def create_folder(self, draft: FolderDraft) -> Created:
        """POST /folders. Never retried after a timeout or dropped connection."""
        from onna_tui.api import contents

        return await contents.create_folder(self.api, draft)

    async def get_folder(self, onna_id: str) -> Folder:
        from onna_tui.api import contents

        return await contents.get_folder(self.api, onna_id)

    async def rename_folder(self, onna_id: str, name: str) -> None:
        from onna_tui.api import contents

        await contents.rename_folder(self.api, onna_id, name)

    async def delete_folder(self, onna_id: str) -> DeleteOutcome:
        """DELETE the folder and everything in it (retried once after no answer)."""
        from onna_tui.api import contents

        return await contents.delete_folder(self.api, onna_id)

    async def create_file(self, draft: FileDraft) -> Created:
        """POST /resources/files: the resource a file's content is uploaded into."""
        from onna_tui.api import contents

        return await contents.create_file(self.api, draft)

    async def get_file(self, onna_id: str) -> FileResource:
        from onna_tui.api import contents

        return await contents.get_file(self.api, onna_id)

    async def delete_file(self, onna_id: str) -> DeleteOutcome:
        from onna_tui.api import contents

        return await contents.delete_file(self.api, onna_id)

    async def create_ticket(self, draft: TicketDraft) -> Created:
        from onna_tui.api import contents

        return await contents.create_ticket(self.api, draft)

    async def get_ticket(self, onna_id: str) -> Ticket:
        from onna_tui.api import contents

        return await contents.get_ticket(self.api, onna_id)

    async def delete_ticket(self, onna_id: str) -> DeleteOutcome:
        from onna_tui.api import contents

        return await contents.delete_ticket(self.api, onna_id)

    def uploader(
        self,
        onna_id: str,
        path: Path,
        signature: FileSignature,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        on_offset: OffsetListener | None = None,
    ) -> Uploader:
        """The TUS upload of ``path`` into file resource ``onna_id`` (see api.upload)."""
        from onna_tui.api.upload import Uploader

        return Uploader(
            self.api, onna_id, path, signature, chunk_size=chunk_size, on_offset=on_offset
        )
