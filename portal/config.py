"""Configuration classes; secrets and servers come from the environment or instance/config.py."""
import os

INSECURE_SECRET_KEY = "dev-only-not-secret"


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Reject plain mysql:// so the documented driver (PyMySQL) is always the one used.
    if url.startswith("mysql://"):
        url = "mysql+pymysql://" + url[len("mysql://"):]
    if url.startswith("mysql+pymysql://") and "charset=" not in url:
        url += ("&" if "?" in url else "?") + "charset=utf8mb4"
    return url


def _cache_config() -> dict:
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        return {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
    return {
        "CACHE_TYPE": "portal.cache.backend.tolerant_redis",
        "CACHE_REDIS_URL": redis_url,
        "CACHE_DEFAULT_TIMEOUT": 300,
        "CACHE_KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal:"),
        "CACHE_REDIS_TIMEOUT": float(os.environ.get("REDIS_TIMEOUT", "0.25")),
    }


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit():
        raise RuntimeError(f"{name} must be a whole number, not {value!r}")
    return int(value)


def _limiter_config() -> dict:
    """Flask-Limiter: counters in Redis when REDIS_URL is set (shared by every app machine and
    atomic: one INCR or Lua script per hit), in this process otherwise."""
    redis_url = os.environ.get("REDIS_URL")
    timeout = float(os.environ.get("REDIS_TIMEOUT", "0.25"))
    return {
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_STORAGE_OPTIONS": (
            {"socket_timeout": timeout, "socket_connect_timeout": timeout,
             "key_prefix": os.environ.get("CACHE_KEY_PREFIX", "portal:") + "limits"}
            if redis_url else {}),
    }


SECURITY_SETTINGS = {  # environment variable (= config key): its kind
    "SESSION_IDLE_MINUTES": int, "SESSION_LIFETIME_HOURS": int, "REAUTH_MINUTES": int,
    "TRUSTED_PROXIES": int, "HSTS_SECONDS": int, "LOGIN_LIMIT_ACCOUNT_ADDRESS": str,
    "LOGIN_LIMIT_ADDRESS": str, "LOGIN_LIMIT_ACCOUNT": str, "API_RATE_LIMIT": str,
}


def _security_config() -> dict:
    """The security settings given in the environment (the classes below hold the defaults)."""
    config: dict = {}
    for name, kind in SECURITY_SETTINGS.items():
        if os.environ.get(name, "").strip():
            config[name] = _int_env(name, 0) if kind is int else os.environ[name].strip()
    if os.environ.get("MFA_REQUIRED_ROLES") is not None:
        config["MFA_REQUIRED_ROLES"] = tuple(
            role.strip() for role in os.environ["MFA_REQUIRED_ROLES"].split(",") if role.strip())
    return config


def _seconds(name: str, default: float) -> float:
    value = float(os.environ.get(name, default))
    if not 0 < value <= 3600:
        raise RuntimeError(f"{name} must be a number of seconds above 0 (and at most 3600), not {value}")
    return value


def database_engine_options(config) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS with the connection timeouts for MySQL/MariaDB (PyMySQL).

    Without a read timeout a hung database holds every request until gunicorn kills the worker;
    with it the request fails within DB_READ_TIMEOUT and the user gets the 503 page. Computed
    from the final URL (instance config and tests may change it), so it is applied in create_app.
    """
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("mysql+pymysql://"):
        options["connect_args"] = {
            **options.get("connect_args", {}),
            "connect_timeout": config["DB_CONNECT_TIMEOUT"],
            "read_timeout": config["DB_READ_TIMEOUT"],
            "write_timeout": config["DB_WRITE_TIMEOUT"],
        }
    return options


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_SECRET_KEY)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_recycle": 3600}
    # WTForms' own validation messages follow the request's language (portal/translations).
    WTF_I18N_ENABLED = True
    # Seconds; PyMySQL's connect, read and write timeouts on every database connection.
    DB_CONNECT_TIMEOUT = _seconds("DB_CONNECT_TIMEOUT", 5)
    DB_READ_TIMEOUT = _seconds("DB_READ_TIMEOUT", 10)
    DB_WRITE_TIMEOUT = _seconds("DB_WRITE_TIMEOUT", 10)
    # Any request body over 1 MiB is refused (413) before a view reads it; the API allows 16 KiB.
    MAX_CONTENT_LENGTH = 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # bound to the session instead; sessions end at logout
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    # Sessions end after this long without a request, and this long after sign-in in any case.
    SESSION_IDLE_MINUTES = 30
    SESSION_LIFETIME_HOURS = 12
    # Sensitive actions (API tokens, roles, forced modifications) need a password or code this recent.
    REAUTH_MINUTES = 5
    # Roles that must use a TOTP second factor (enrolment at their next sign-in).
    MFA_REQUIRED_ROLES: tuple[str, ...] = ()
    # Reverse proxies in front of the app trusted to set X-Forwarded-For and X-Forwarded-Proto.
    # 0: use the socket address (no proxy, or one that does not set the headers reliably).
    TRUSTED_PROXIES = 0
    # Sign-in throttling (limits' notation). Every attempt counts; a success clears the account's
    # counters (never the address's). Per account and address; per address over all accounts
    # (password spraying); per account over all addresses (guessing from many machines).
    LOGIN_LIMIT_ACCOUNT_ADDRESS = "5 per 15 minutes"
    LOGIN_LIMIT_ADDRESS = "30 per hour"
    LOGIN_LIMIT_ACCOUNT = "50 per day"
    # Used while Redis cannot be reached: counted in each process, hence stricter.
    LOGIN_FALLBACK_LIMIT_ACCOUNT_ADDRESS = "3 per 15 minutes"
    LOGIN_FALLBACK_LIMIT_ADDRESS = "10 per hour"
    LOGIN_FALLBACK_LIMIT_ACCOUNT = "10 per day"
    # The callback intake API, per token (per address for requests without a plausible token).
    API_RATE_LIMIT = "60 per minute"
    # The integration API's OpenAPI document (flask-smorest), served at /api/v1/openapi.json.
    API_TITLE = "Appointment Policy Portal API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    RATELIMIT_STRATEGY = "moving-window"
    # No X-RateLimit-* headers on every answer: each would cost the API a second Redis script per
    # request (the window's statistics). A 429 still says Retry-After (portal.web.errors).
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # the API keeps a per-process limit when Redis is down
    RATELIMIT_SWALLOW_ERRORS = True
    HSTS_SECONDS = 0
    DEFAULT_PHONE_REGION = os.environ.get("DEFAULT_PHONE_REGION", "DE")
    # The portal's public address: commands (no request to take it from) build one-time links on it.
    PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:5000")
    PAGE_SIZE = 25
    # Notification delivery (README, "Notification delivery"). Without SMTP_URL emails go to the
    # development provider (the log); a channel without a webhook URL likewise.
    SMTP_URL = os.environ.get("SMTP_URL") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "Appointments <no-reply@localhost>")
    NOTIFY_WEBHOOK_SECRET = os.environ.get("NOTIFY_WEBHOOK_SECRET", "")
    NOTIFY_SMS_URL = os.environ.get("NOTIFY_SMS_URL") or None
    NOTIFY_WHATSAPP_URL = os.environ.get("NOTIFY_WHATSAPP_URL") or None
    NOTIFY_PUSH_URL = os.environ.get("NOTIFY_PUSH_URL") or None
    # Seconds a provider or SMTP server may take to answer.
    NOTIFY_TIMEOUT = _seconds("NOTIFY_TIMEOUT", 10)
    # An attempt claimed this long ago without an answer (its worker died) is due again.
    DELIVERY_CLAIM_MINUTES = 10
    # The RQ queue the scheduler fills when REDIS_URL is set.
    DELIVERY_QUEUE = os.environ.get("DELIVERY_QUEUE", "notifications")
    JOBS_REDIS_URL = os.environ.get("REDIS_URL") or None
    # werkzeug's generate_password_hash method for new hashes. check_password reads the method
    # from the stored hash, so changing this never locks anyone out.
    PASSWORD_HASH_METHOD = "scrypt"

    def __init__(self, instance_path: str):
        self.SQLALCHEMY_DATABASE_URI = _database_url(
            "sqlite:///" + os.path.join(instance_path, "portal.sqlite3")
        )
        for key, value in {**_cache_config(), **_limiter_config(), **_security_config()}.items():
            setattr(self, key, value)


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    # The test fixtures create over a thousand users; at scrypt's ~0.1 s each that was most of the
    # suite's CPU time. A cheap method here tests the same code; never use it outside tests.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") != "0"
    # __Host-: the browser accepts the cookie only from this host, over HTTPS, for the whole site,
    # so a sibling subdomain cannot plant or overwrite it. It needs Secure, hence the condition.
    SESSION_COOKIE_NAME = "__Host-session" if SESSION_COOKIE_SECURE else "session"
    SESSION_COOKIE_PATH = "/"
    HSTS_SECONDS = 365 * 24 * 60 * 60
    MFA_REQUIRED_ROLES = ("admin",)

    def __init__(self, instance_path: str):
        super().__init__(instance_path)
        secret = os.environ.get("SECRET_KEY", "")
        if len(secret) < 32 or secret == INSECURE_SECRET_KEY:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        self.SECRET_KEY = secret


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
