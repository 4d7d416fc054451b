"""Production transport settings: HSTS, the __Host- session cookie; settings from the environment."""
import pytest

from portal import config as settings
from portal import create_app


@pytest.fixture
def production_app(app, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    return create_app({"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "CACHE_TYPE": "SimpleCache", "RATELIMIT_STORAGE_URI": "memory://",
                       "RATELIMIT_STORAGE_OPTIONS": {}})


def test_production_sends_hsts_and_a_host_only_secure_session_cookie(production_app):
    response = production_app.test_client().get("/login", base_url="https://portal.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "secure" in attributes
    assert "path=/" in attributes
    assert "httponly" in attributes
    assert not any(part.startswith("domain=") for part in attributes)  # __Host- forbids a Domain


def test_development_and_tests_send_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert client.get("/login").headers["Set-Cookie"].startswith("session=")


def test_admins_must_use_mfa_under_the_production_config_only():
    assert settings.ProductionConfig.MFA_REQUIRED_ROLES == ("admin",)
    assert settings.DevelopmentConfig.MFA_REQUIRED_ROLES == settings.TestingConfig.MFA_REQUIRED_ROLES == ()


def test_security_settings_come_from_the_environment(monkeypatch, tmp_path):
    for name, value in {"TRUSTED_PROXIES": "2", "SESSION_IDLE_MINUTES": "15", "SESSION_LIFETIME_HOURS": "8",
                        "REAUTH_MINUTES": "3", "LOGIN_LIMIT_ADDRESS": "20 per hour",
                        "MFA_REQUIRED_ROLES": "admin, branch_manager"}.items():
        monkeypatch.setenv(name, value)
    config = settings.TestingConfig(str(tmp_path))
    assert (config.TRUSTED_PROXIES, config.SESSION_IDLE_MINUTES, config.SESSION_LIFETIME_HOURS) == (2, 15, 8)
    assert config.REAUTH_MINUTES == 3
    assert config.LOGIN_LIMIT_ADDRESS == "20 per hour"
    assert config.MFA_REQUIRED_ROLES == ("admin", "branch_manager")


def test_a_malformed_number_in_the_environment_stops_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTED_PROXIES", "one")
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        settings.TestingConfig(str(tmp_path))
