"""The review app: a server-rendered Flask application over the same repository as the crawler.

`create_app(database_url)` builds it (the database must be migrated: `aggregator serve` does
that first). Every page needs a logged-in user except the login page, static files and the
exports' public feeds; every change needs an editor and a CSRF token. Sessions live on the
server (`sessions.py`: the cookie holds only a random token) and end after an idle or an
absolute timeout; failed logins are throttled (`auth.py`). Pages are Jinja2
templates with autoescaping; the only HTML not escaped is a rendered bulletin, and that goes
through the allow-list sanitiser first. A Content-Security-Policy allows scripts from this
site's static files only, so no inline script can run even if one got into a page.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from flask import Blueprint, Flask, current_app, render_template
from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from aggregator.review import auth, composer, item_page, queue
from aggregator.review import draft_views as drafting
from aggregator.review.auth import current_user, load_user, require_login
from aggregator.review.bulletins import BulletinComposer
from aggregator.review.context import now, wants_json
from aggregator.review.csrf import init_csrf
from aggregator.review.queries import LONDON, source_health
from aggregator.review.sanitize import safe_href
from aggregator.review.sessions import ServerSessionInterface
from aggregator.schema import Precision, is_calendar_date
from aggregator.settings import env_bool, env_duration, env_text
from aggregator.sources import REGISTRY
from aggregator.storage.draft_summaries import DraftStore
from aggregator.storage.login_throttle import ACCOUNT_POLICY, ADDRESS_POLICY, LoginThrottle
from aggregator.storage.repository import Repository
from aggregator.storage.sessions import SessionStore
from aggregator.storage.users import UserStore

SECRET_KEY_ENV = "AGGREGATOR_SECRET_KEY"
SESSION_IDLE_ENV = "AGGREGATOR_SESSION_IDLE_MINUTES"
SESSION_MAX_ENV = "AGGREGATOR_SESSION_MAX_HOURS"
DEFAULT_SESSION_IDLE = timedelta(hours=1)
DEFAULT_SESSION_MAX = timedelta(hours=12)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)

sources_bp = Blueprint("sources", __name__)


class CompiledTemplates(BytecodeCache):
    """Every app built in this process shares its templates' compiled code: Jinja compiles a
    template once per process rather than once per app (a test process builds hundreds of
    apps). Jinja keys the code by template name and checks the source's checksum on load, so
    an edited template is compiled again."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def create_app(
    database_url: str,
    *,
    secret_key: str | None = None,
    config: dict[str, Any] | None = None,
) -> Flask:
    """The review app on `database_url` (already migrated).

    `secret_key` signs the visitor's cookie (the login form's CSRF token): default
    $AGGREGATOR_SECRET_KEY, else a random key (an open login form then goes stale when the
    server restarts; sessions themselves are in the database and survive). `config` overrides
    settings, e.g. CLOCK (a callable giving the current aware datetime), SESSION_IDLE_TIMEOUT
    and SESSION_ABSOLUTE_TIMEOUT (timedeltas; default $AGGREGATOR_SESSION_IDLE_MINUTES and
    $AGGREGATOR_SESSION_MAX_HOURS, else 1 and 12 hours), LOGIN_THROTTLE_ACCOUNT and
    LOGIN_THROTTLE_ADDRESS (`ThrottlePolicy`s), LINK_CHECK_LOOPBACK_ONLY,
    SESSION_COOKIE_SECURE (set it when serving over HTTPS).
    """
    app = Flask(__name__)
    app.jinja_options = {**app.jinja_options, "bytecode_cache": COMPILED_TEMPLATES}
    app.config.update(
        SECRET_KEY=secret_key or env_text(SECRET_KEY_ENV) or secrets.token_hex(32),
        SESSION_COOKIE_NAME="aggregator_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # 0/false/no/off is off: a "0" once turned Secure cookies on and broke plain-HTTP login
        SESSION_COOKIE_SECURE=env_bool("AGGREGATOR_SECURE_COOKIES"),
        SESSION_IDLE_TIMEOUT=env_duration(SESSION_IDLE_ENV, "minutes", DEFAULT_SESSION_IDLE),
        SESSION_ABSOLUTE_TIMEOUT=env_duration(SESSION_MAX_ENV, "hours", DEFAULT_SESSION_MAX),
        LOGIN_THROTTLE_ACCOUNT=ACCOUNT_POLICY,
        LOGIN_THROTTLE_ADDRESS=ADDRESS_POLICY,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        CLOCK=lambda: datetime.now(UTC),
        LINK_CHECK_TIMEOUT=8.0,
        LINK_CHECK_LOOPBACK_ONLY=False,
        PUBLIC_PREFIXES=("feeds.",),
        ON_BULLETIN_PUBLISHED=None,
    )
    app.config.update(config or {})

    repository = Repository.from_url(database_url)
    app.extensions["aggregator_repo"] = repository
    app.extensions["aggregator_users"] = UserStore(repository.engine)
    app.extensions["aggregator_bulletins"] = BulletinComposer(repository)
    app.extensions["aggregator_drafts"] = DraftStore(repository.engine)
    app.extensions["aggregator_facets"] = {}
    app.extensions["aggregator_sessions"] = SessionStore(
        repository.engine,
        idle_timeout=app.config["SESSION_IDLE_TIMEOUT"],
        lifetime=app.config["SESSION_ABSOLUTE_TIMEOUT"],
    )
    app.extensions["aggregator_login_throttle"] = LoginThrottle(
        repository.engine,
        account=app.config["LOGIN_THROTTLE_ACCOUNT"],
        address=app.config["LOGIN_THROTTLE_ADDRESS"],
    )
    app.session_interface = ServerSessionInterface()

    init_csrf(app)  # before the login check: a forged POST is refused whoever sends it
    app.before_request(load_user)
    app.before_request(require_login)
    app.after_request(_security_headers)

    app.register_blueprint(auth.bp)
    assert item_page.bp is queue.bp  # the item page's routes are the queue blueprint's
    app.register_blueprint(queue.bp)
    app.register_blueprint(composer.bp)
    app.register_blueprint(drafting.bp)
    app.register_blueprint(sources_bp)
    register_feeds(app, lambda: repository)

    app.add_url_rule("/healthz", "healthz", lambda: {"ok": True})
    app.register_error_handler(HTTPException, _error)
    _template_helpers(app)
    return app


def register_feeds(app: Flask, repository_factory: Callable[[], Repository]) -> None:
    """The exports' public feeds (/feeds/approved.atom, /feeds/approved.json), when the
    exports provide `aggregator.exports.web.feeds_blueprint`; nothing otherwise."""
    try:
        from aggregator.exports.web import feeds_blueprint
    except ImportError:
        return
    blueprint = feeds_blueprint(repository_factory)
    app.register_blueprint(blueprint)
    app.config["PUBLIC_PREFIXES"] = (*app.config["PUBLIC_PREFIXES"], f"{blueprint.name}.")


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_user() is not None:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error(error: HTTPException) -> Any:
    if wants_json():
        return {"ok": False, "message": error.description}, error.code or 500
    return render_template("error.html", error=error), error.code or 500


# --- template helpers -----------------------------------------------------------------------


def _london(value: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(LONDON).strftime(fmt)


def _at_precision(value: datetime | None, precision: str) -> str:
    """A published date as precisely as the publisher gave it."""
    if value is None or precision == Precision.NONE:
        return "undated"
    local = value.astimezone(LONDON)
    if precision == Precision.YEAR:
        return local.strftime("%Y")
    if precision == Precision.MONTH:
        return local.strftime("%B %Y")
    return local.strftime("%d %B %Y")


def _event_time(value: datetime | None, precision: str = Precision.NONE) -> str:
    """An event's time in London; a date alone (a statistics release announced for "June
    2024") at its precision, never as a midnight clock time."""
    if value is None:
        return ""
    if is_calendar_date(value, precision):
        return _at_precision(value, precision)
    return _london(value)


def _and_join(values: Any) -> str:
    """A flag's reasons as a phrase: "a", "a and b", "a, b and c"."""
    names = [str(value) for value in values if str(value).strip()]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _first_words(text: str | None, count: int = 30) -> str:
    """The first `count` words of `text`, with an ellipsis when some were left off (the queue
    shows the start of a draft; the item page has all of it)."""
    words = (text or "").split()
    if len(words) <= count:
        return " ".join(words)
    return " ".join(words[:count]).rstrip(",;:") + " …"


def _template_helpers(app: Flask) -> None:
    app.jinja_env.filters["london"] = _london
    app.jinja_env.filters["and_join"] = _and_join
    app.jinja_env.filters["first_words"] = _first_words
    app.jinja_env.filters["at_precision"] = _at_precision
    app.jinja_env.filters["event_time"] = _event_time
    app.jinja_env.filters["href"] = safe_href
    app.jinja_env.globals["current_user"] = current_user
    app.jinja_env.globals["registry"] = REGISTRY


# --- source health --------------------------------------------------------------------------


@sources_bp.get("/sources")
def health() -> Any:
    repository = cast(Repository, current_app.extensions["aggregator_repo"])
    return render_template("health.html", sources=source_health(repository, dict(REGISTRY), now()))
