"""What every view takes from the app and the request: the clock, the editor acting, and
whether the caller (the page's own scripts) asked for JSON rather than a page."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from flask import current_app, request

from aggregator.review.auth import current_user


def now() -> datetime:
    """The app's clock (a fixed one in tests)."""
    return cast(datetime, current_app.config["CLOCK"]())


def editor_name() -> str:
    """The username of the logged-in user; for views behind `editor_required`."""
    user = current_user()
    assert user is not None  # editor_required ran first
    return user.username


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"
