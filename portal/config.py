"""Settings, read from the environment with safe development defaults."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SECRET = "dev-secret-change-me"  # noqa: S105 - refused in production


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_env(instance_path: str) -> dict:
    """Build the settings dict from environment variables."""
    db_path = Path(instance_path) / "portal.db"
    redis_url = os.environ.get("REDIS_URL") or None
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEFAULT_SECRET),
        "ENV_NAME": os.environ.get("PORTAL_ENV", "development"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{db_path}"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_PUBLIC": os.environ.get("RATELIMIT_PUBLIC", "120/minute"),
        "RATELIMIT_LOGIN": os.environ.get("RATELIMIT_LOGIN", "10/minute"),
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "LANGUAGES": ("id", "en"),
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_HOURS", "8")) * 3600,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "64")) * 1024 * 1024,
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(Path(instance_path) / "uploads")),
        "UPLOAD_MAX_BYTES": int(os.environ.get("UPLOAD_MAX_MB", "5")) * 1024 * 1024,
        "INSTITUTION_NAME": os.environ.get(
            "INSTITUTION_NAME", "Dinas Komunikasi, Informatika, Statistik dan Persandian"
        ),
        "INSTITUTION_REGION": os.environ.get("INSTITUTION_REGION", "Provinsi Banten"),
        "INSTITUTION_LOGO": os.environ.get("INSTITUTION_LOGO", "img/logo.svg"),
        "INSTITUTION_ADDRESS": os.environ.get(
            "INSTITUTION_ADDRESS", "Kawasan Pusat Pemerintahan Provinsi Banten, Serang"
        ),
        "INSTITUTION_CITY": os.environ.get("INSTITUTION_CITY", "Serang"),  # where letters are signed
        "HEAD_OF_OFFICE_NAME": os.environ.get("HEAD_OF_OFFICE_NAME", "Kepala Dinas"),
        "HEAD_OF_OFFICE_NIP": os.environ.get("HEAD_OF_OFFICE_NIP", ""),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL") or None,  # see portal/core/urls.py
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "lapor@diskominfo.example.go.id"),
        "MAIL_ENABLED": _bool("MAIL_ENABLED", True),
        "HSTS_ENABLED": _bool("HSTS_ENABLED", False),
        "JOBS_EAGER": _bool("JOBS_EAGER", False),
        "STATS_CACHE_SECONDS": int(os.environ.get("STATS_CACHE_SECONDS", "30")),
        "LOG_JSON": _bool("LOG_JSON", False),
    }
