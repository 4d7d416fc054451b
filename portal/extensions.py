"""Unbound extensions, initialised by create_app()."""
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations identical on SQLite and MariaDB.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)

# The base class of every model. At run time it is db.Model itself, which Flask-SQLAlchemy builds
# on the fly from Base; mypy cannot take an instance attribute as a base class, so it is told
# what db.Model is made of: Flask-SQLAlchemy's Model (query, __fsa__) on top of Base.
if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel

    class Model(_FlaskModel, Base):
        __abstract__ = True
else:
    Model = db.Model

# Where portal/cache/process.py keeps the decoded configuration values of this process.
PROCESS_VALUES = "portal.cache.process"


class PortalCache(Cache):
    """Flask-Caching's Cache, whose clear() also drops the values this process keeps in front of
    it (portal/cache/process.py): emptying the cache empties every copy."""

    def clear(self) -> bool:
        current_app.extensions.pop(PROCESS_VALUES, None)
        return super().clear()


migrate = Migrate()
cache = PortalCache()
csrf = CSRFProtect()
login_manager = LoginManager()
# Storage, strategy and fallback come from the RATELIMIT_* settings (portal.config).
limiter = Limiter(get_remote_address)
# The locale of each request comes from portal.web.i18n.select_locale.
babel = Babel()
