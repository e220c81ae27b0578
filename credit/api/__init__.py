"""The HTTP API and the applicants' page (``credit serve``) — issue 7, docs/api.md."""

from credit.api.app import create_app

__all__ = ["create_app"]
