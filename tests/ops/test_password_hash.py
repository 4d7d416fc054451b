"""The password-hash method comes from the config: scrypt in production, a cheap one only in tests."""
import pytest

from portal import config, create_app
from portal.models import User

PASSWORD = "a-long-enough-password"


@pytest.fixture
def production_app(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    return create_app({"ENV_NAME": "production",
                       "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "unused.sqlite3")})


def hashed(app, password=PASSWORD) -> User:
    with app.app_context():
        user = User()
        user.set_password(password)
        return user


def test_production_and_development_keep_scrypt(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    assert config.ProductionConfig(str(tmp_path)).PASSWORD_HASH_METHOD == "scrypt"
    assert config.DevelopmentConfig(str(tmp_path)).PASSWORD_HASH_METHOD == "scrypt"
    assert config.TestingConfig(str(tmp_path)).PASSWORD_HASH_METHOD.startswith("pbkdf2:")


def test_a_hash_made_under_production_is_scrypt_and_verifies(production_app):
    assert production_app.config["PASSWORD_HASH_METHOD"] == "scrypt"
    user = hashed(production_app)
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")


def test_a_hash_made_under_testing_is_the_cheap_method_and_verifies(app):
    user = hashed(app)
    assert user.password_hash.startswith("pbkdf2:sha256:1000$")
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")


def test_verifying_reads_the_method_from_the_hash_not_from_the_config(app, production_app):
    strong, cheap = hashed(production_app), hashed(app)
    with app.app_context():  # a scrypt hash still signs in where new hashes are cheap ...
        assert strong.check_password(PASSWORD)
        assert not strong.check_password("wrong-password-here")
    with production_app.app_context():  # ... and the other way round
        assert cheap.check_password(PASSWORD)
        assert not cheap.check_password("wrong-password-here")


def test_without_an_app_the_method_is_scrypt():
    # The sign-in view's dummy user is hashed at import, before any app exists.
    user = User()
    user.set_password(PASSWORD)
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(PASSWORD)
