"""Pydantic models of the Onna wire format: the subset of ``onna_tui/spec/openapi.yaml`` we speak.

One module per resource (``auth``, ``health``, ``workspaces``, ``custom_fields``). Models read from
the network derive from `base.WireModel` and accept extra fields, so a newer
server does not break us. Error bodies come in too many shapes for one model
(the document's flat object, the JSON:API envelope of its examples, FastAPI's,
RFC 6749's, text, HTML): ``api.problems`` reads them all.
"""
