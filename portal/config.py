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


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_SECRET_KEY)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_recycle": 3600}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # bound to the session instead; sessions end at logout
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_SECONDS = 15 * 60
    DEFAULT_PHONE_REGION = os.environ.get("DEFAULT_PHONE_REGION", "DE")
    # The portal's public address: commands (no request to take it from) build one-time links on it.
    PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:5000")
    PAGE_SIZE = 25
    # werkzeug's generate_password_hash method for new hashes. check_password reads the method
    # from the stored hash, so changing this never locks anyone out.
    PASSWORD_HASH_METHOD = "scrypt"

    def __init__(self, instance_path: str):
        self.SQLALCHEMY_DATABASE_URI = _database_url(
            "sqlite:///" + os.path.join(instance_path, "portal.sqlite3")
        )
        for key, value in _cache_config().items():
            setattr(self, key, value)


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    LOGIN_MAX_FAILURES = 5
    # The test fixtures create over a thousand users; at scrypt's ~0.1 s each that was most of the
    # suite's CPU time. A cheap method here tests the same code; never use it outside tests.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") != "0"

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
