"""Settings: every configuration key in one typed place (:class:`Settings`), read from the environment
with safe development defaults. Documented in docs/CONFIG.md."""

from __future__ import annotations

import contextlib
import copy
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

DEFAULT_SECRET = "dev-secret-change-me"  # noqa: S105 - an old default, refused in production
#: keys published in this repository, its docs and examples: refused in production
KNOWN_PLACEHOLDERS = frozenset({
    DEFAULT_SECRET, "change-me-to-64-random-characters", "test-secret", "secret", "changeme", "change-me",
    "dev", "development", "please-change-me", "your-secret-key",
})
#: the shortest key production accepts (bytes)
MIN_SECRET_BYTES = 32
#: where a development key is kept when ``SECRET_KEY`` is not set (inside the instance folder)
SECRET_FILE = "secret_key"  # noqa: S105 - a file name


MB = 1024 * 1024


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


def _str_or_none(text: str) -> str | None:
    return text or None


def _int_or(default: int) -> Callable[[str], int]:
    """An integer; a malformed value keeps ``default`` (the session and proxy settings did so always)."""

    def parse(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            return default

    return parse


def _mb(text: str) -> int:
    return int(text) * MB


def _hours(text: str) -> int:
    return int(text) * 3600


def setting(default: Any, doc: str, env: str | None = None, parse: Callable[[str], Any] | None = None) -> Any:
    """A settings field: its default, a one-line description, and the environment variable that sets it
    (``parse`` turns the variable's text into the value; plain text when omitted)."""
    return field(default_factory=lambda: copy.copy(default), metadata={"doc": doc, "env": env, "parse": parse})


@dataclass
class Settings:
    """Every configuration key the portal reads, with its type, default and meaning (docs/CONFIG.md).

    Built from the environment by :func:`from_env`; ``create_app(config)`` overrides keys (tests do).
    Flask's own keys that the portal only reads (``TESTING``, ``SESSION_COOKIE_NAME``, ``SERVER_NAME``,
    ``PREFERRED_URL_SCHEME``) keep Flask's defaults and are documented in docs/CONFIG.md.
    """

    # --- core -------------------------------------------------------------------------------------
    SECRET_KEY: str | None = setting(None, "signs sessions and tokens; production refuses a missing, published "
                                     "or short key (elsewhere one is made in instance/secret_key)", "SECRET_KEY",
                                     _str_or_none)
    ENV_NAME: str = setting("development", "\"production\" turns on the production checks (secret key, secure "
                            "cookies)", "PORTAL_ENV")
    SQLALCHEMY_DATABASE_URI: str = setting("", "the database (SQLAlchemy URL); default SQLite at "
                                           "instance/portal.db", "DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = setting(  # noqa: RUF009
        {"pool_pre_ping": True}, "engine options (Flask-SQLAlchemy)")
    LOG_JSON: bool = setting(False, "one JSON line per request and log record (python-json-logger)", "LOG_JSON",
                             _bool)
    # --- Redis, rate limits, cache, jobs ----------------------------------------------------------
    REDIS_URL: str | None = setting(None, "Redis for rate limits, the aggregate cache and the job queue; unset: "
                                    "all in-process", "REDIS_URL", _str_or_none)
    REDIS_TIMEOUT: float = setting(1.0, "seconds before a Redis call gives up (then the in-process fallback)")
    RATELIMIT_ENABLED: bool = setting(True, "rate limits on (false for benchmarks on one machine)",
                                      "RATELIMIT_ENABLED", _bool)
    RATELIMIT_STORAGE_URI: str = setting("memory://", "Flask-Limiter storage; follows REDIS_URL")
    RATELIMIT_STORAGE_OPTIONS: dict[str, Any] = setting(  # noqa: RUF009
        {}, "Flask-Limiter storage options; with Redis its timeouts follow REDIS_TIMEOUT")
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED: bool = setting(False, "Flask-Limiter falls back to memory when Redis "
                                                         "is down (set with REDIS_URL)")
    RATELIMIT_HEADERS_ENABLED: bool = setting(True, "X-RateLimit-* headers on limited responses")
    RATELIMIT_KEY_PREFIX: str = setting("portal", "prefix of rate-limit keys (the cache fast path counts on the "
                                        "same keys)")
    RATELIMIT_PUBLIC: str = setting("120/minute", "limit per client on public pages and the APIs",
                                    "RATELIMIT_PUBLIC")
    RATELIMIT_LOGIN: str = setting("10/minute", "limit per client on sign-in attempts", "RATELIMIT_LOGIN")
    RATELIMIT_SURVEY: str = setting("10/hour", "limit per client on survey (SKM/IKM) answers")
    RATELIMIT_RECOMPUTE: str = setting("60/minute", "limit per client on requests that recompute an aggregate")
    CACHE_NAMESPACE: str | None = setting(None, "cache key namespace; default a hash of the database URL")
    CACHE_THRESHOLD: int = setting(2000, "entries the in-process or file cache keeps")
    EXPORT_INLINE_ROWS: int = setting(20_000, "complaints up to which a request writes the first full open-data "
                                      "file itself (above: written in the background, 503 meanwhile)")
    PAGE_MEMO_BYTES: int = setting(32 * 1024 * 1024, "bytes of prepared public answers each worker keeps in "
                                   "memory (the fast path; 0: none)", "PAGE_MEMO_BYTES", int)
    CACHE_DIR: str | None = setting(None, "file cache directory without Redis; default instance/cache/<ns> "
                                    "(none under TESTING: in-process)")
    STATS_CACHE_SECONDS: int = setting(30, "seconds public figures are cached (the dashboard refresh)",
                                       "STATS_CACHE_SECONDS", int)
    STATS_AGGREGATE_SECONDS: int = setting(600, "seconds a costly aggregate is kept (at least "
                                           "STATS_CACHE_SECONDS)")
    STATS_STALE_SECONDS: int = setting(120, "seconds a stale aggregate may be served while it is recomputed")
    PUBLIC_PAGE_CACHE: bool = setting(True, "the public page cache and its fast path")
    JOBS_EAGER: bool = setting(False, "run background jobs inline (no RQ worker, no thread)", "JOBS_EAGER", _bool)
    JOBS_QUEUE_IN_TESTS: bool = setting(False, "tests only: queue jobs as in production instead of inline")
    # --- i18n -------------------------------------------------------------------------------------
    BABEL_DEFAULT_LOCALE: str = setting("id", "the default language (msgids are Indonesian)")
    BABEL_DEFAULT_TIMEZONE: str = setting("Asia/Jakarta", "dates are shown in WIB")
    LANGUAGES: tuple[str, ...] = setting(("id", "en"), "languages a visitor may choose")
    # --- sessions and security --------------------------------------------------------------------
    WTF_CSRF_TIME_LIMIT: int | None = setting(None, "CSRF tokens live as long as the session")
    SESSION_COOKIE_HTTPONLY: bool = setting(True, "the session cookie is hidden from scripts")
    SESSION_COOKIE_SAMESITE: str = setting("Lax", "the session cookie's SameSite")
    SESSION_COOKIE_SECURE: bool = setting(False, "the session cookie only over HTTPS (on by default in "
                                          "production)", "SESSION_COOKIE_SECURE", _bool)
    REMEMBER_COOKIE_NAME: str = setting("remember_token", "Flask-Login's remember cookie (the page cache skips "
                                        "requests carrying it)")
    REMEMBER_COOKIE_HTTPONLY: bool = setting(True, "the remember cookie is hidden from scripts")
    REMEMBER_COOKIE_SECURE: bool = setting(False, "follows SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_SAMESITE: str = setting("Lax", "the remember cookie's SameSite")
    PERMANENT_SESSION_LIFETIME: int = setting(8 * 3600, "absolute session lifetime in seconds (SESSION_HOURS "
                                              "hours)", "SESSION_HOURS", _hours)
    SESSION_IDLE_MINUTES: int = setting(30, "minutes without a request before a staff session ends",
                                        "SESSION_IDLE_MINUTES", _int_or(30))
    PROXY_FIX: int = setting(0, "trusted reverse-proxy hops (X-Forwarded-For/-Proto/-Host); 0: none",
                             "PROXY_FIX", _int_or(0))
    HSTS_ENABLED: bool = setting(False, "Strict-Transport-Security on HTTPS responses", "HSTS_ENABLED", _bool)
    TOTP_ISSUER: str = setting("Portal SP4N-LAPOR!", "the issuer shown by authenticator apps")
    # --- files ------------------------------------------------------------------------------------
    MAX_CONTENT_LENGTH: int = setting(64 * MB, "largest request body in bytes (MAX_UPLOAD_MB megabytes; "
                                      "imports)", "MAX_UPLOAD_MB", _mb)
    UPLOAD_DIR: str = setting("", "attachments, imports and meeting photos; default instance/uploads",
                              "UPLOAD_DIR")
    UPLOAD_MAX_BYTES: int = setting(5 * MB, "largest attachment in bytes (UPLOAD_MAX_MB megabytes)",
                                    "UPLOAD_MAX_MB", _mb)
    EXPORT_DIR: str | None = setting(None, "where the open-data files are written; default instance/exports")
    SUGGEST_MODEL_DIR: str | None = setting(None, "where the suggestion model is kept; default in instance/")
    # --- the institution (letters, headers; the Setting table overrides) ---------------------------
    INSTITUTION_NAME: str = setting("Dinas Komunikasi, Informatika, Statistik dan Persandian",
                                    "the office's name", "INSTITUTION_NAME")
    INSTITUTION_REGION: str = setting("Provinsi Banten", "the region it serves", "INSTITUTION_REGION")
    INSTITUTION_LOGO: str = setting("img/logo.svg", "the logo, a path under static/", "INSTITUTION_LOGO")
    INSTITUTION_ADDRESS: str = setting("Kawasan Pusat Pemerintahan Provinsi Banten, Serang",
                                       "the letterhead's address", "INSTITUTION_ADDRESS")
    INSTITUTION_CITY: str = setting("Serang", "where letters are signed", "INSTITUTION_CITY")
    HEAD_OF_OFFICE_NAME: str = setting("Kepala Dinas", "who signs letters", "HEAD_OF_OFFICE_NAME")
    HEAD_OF_OFFICE_NIP: str = setting("", "the signer's NIP", "HEAD_OF_OFFICE_NIP")
    PUBLIC_BASE_URL: str | None = setting(None, "links in e-mails, receipts, QR codes, ICS and letters; unset: "
                                          "the request's address (see portal/core/urls.py)", "PUBLIC_BASE_URL",
                                          _str_or_none)
    # --- mail -------------------------------------------------------------------------------------
    MAIL_SERVER: str = setting("localhost", "SMTP host", "MAIL_SERVER")
    MAIL_PORT: int = setting(25, "SMTP port", "MAIL_PORT", int)
    MAIL_USE_TLS: bool = setting(False, "STARTTLS", "MAIL_USE_TLS", _bool)
    MAIL_USERNAME: str | None = setting(None, "SMTP user", "MAIL_USERNAME", _str_or_none)
    MAIL_PASSWORD: str | None = setting(None, "SMTP password", "MAIL_PASSWORD", _str_or_none)
    MAIL_DEFAULT_SENDER: str = setting("lapor@diskominfo.example.go.id", "From: of every e-mail (its domain "
                                       "also names Message-IDs and ICS UIDs)", "MAIL_DEFAULT_SENDER")
    MAIL_ENABLED: bool = setting(True, "send e-mail from the outbox (false: keep it queued)", "MAIL_ENABLED",
                                 _bool)

    @classmethod
    def from_env(cls, instance_path: str, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings from environment variables (``os.environ`` unless ``environ``)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            name, parse = f.metadata["env"], f.metadata["parse"] or str
            if name is not None and name in env:
                values[f.name] = parse(env[name])
        out = cls(**values)
        if not out.SQLALCHEMY_DATABASE_URI:
            out.SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(instance_path) / 'portal.db'}"
        if not out.UPLOAD_DIR:
            out.UPLOAD_DIR = str(Path(instance_path) / "uploads")
        out.RATELIMIT_STORAGE_URI = out.REDIS_URL or "memory://"
        return out

    def as_config(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


#: the keys of :class:`Settings`, each with its one-line description
DOCS: dict[str, str] = {f.name: f.metadata["doc"] for f in fields(Settings)}


def from_env(instance_path: str) -> dict[str, Any]:
    """Build the settings dict from environment variables."""
    return Settings.from_env(instance_path).as_config()


def secret_key_problem(key: str | bytes) -> str | None:
    """Why ``key`` must not sign production sessions and tokens, or ``None`` when it may."""
    text = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
    if text.strip().lower() in KNOWN_PLACEHOLDERS or "change-me" in text.lower() or "changeme" in text.lower():
        return "SECRET_KEY is a published placeholder"
    if len(text.encode()) < MIN_SECRET_BYTES:
        return f"SECRET_KEY is shorter than {MIN_SECRET_BYTES} bytes"
    return None


def ensure_secret_key(config: dict, instance_path: str) -> None:
    """Production needs a real ``SECRET_KEY``; elsewhere a missing one is made once into the instance folder.

    Raises ``RuntimeError`` in production (``PORTAL_ENV=production``) for a missing key, a published
    placeholder or a key shorter than :data:`MIN_SECRET_BYTES`.
    """
    key = config.get("SECRET_KEY")
    if config.get("ENV_NAME") == "production":
        problem = "SECRET_KEY is not set" if not key else secret_key_problem(key)
        if problem:
            raise RuntimeError(f"{problem}: production (PORTAL_ENV=production) needs a random key of at "
                               f"least {MIN_SECRET_BYTES} bytes, e.g. python -c 'import secrets; "
                               "print(secrets.token_urlsafe(48))'")
        return
    if not key:
        config["SECRET_KEY"] = instance_secret(Path(instance_path) / SECRET_FILE)


def instance_secret(path: Path) -> str:
    """The key stored at ``path``, made (random, mode 0600) on first use.

    Written to a private temporary file and linked into place, so workers starting together agree on
    one key and never read a half-written file.
    """
    with contextlib.suppress(FileNotFoundError):
        existing = path.read_text().strip()
        if existing:
            return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):  # another process was first: use theirs
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text().strip()
