"""Appointment Policy Portal: the application factory."""
import logging
import os
from importlib import import_module

from flask import Flask

from portal.config import CONFIGS, database_engine_options
from portal.extensions import babel, csrf, db, limiter, login_manager, migrate

BLUEPRINTS = ("auth", "account", "security_events", "main", "admin", "organisation", "policies", "callbacks",
              "notifications", "deliveries", "appointments", "api")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app; PORTAL_ENV picks development (default), testing or production."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    register_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_web(app)
    return app


def register_config(app: Flask, test_config: dict | None) -> None:
    env_name = (test_config or {}).get("ENV_NAME") or os.environ.get("PORTAL_ENV", "development")
    if env_name not in CONFIGS:
        raise RuntimeError(f"PORTAL_ENV must be one of {', '.join(CONFIGS)}, not {env_name!r}")
    app.config.from_object(CONFIGS[env_name](app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = database_engine_options(app.config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrations = os.path.join(app.root_path, os.pardir, "migrations")
    migrate.init_app(app, db, directory=migrations, render_as_batch=True, compare_type=True)
    import_module("portal.extensions").cache.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    from portal.web.i18n import select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    import_module("portal.models")  # registers every table on the metadata
    # listeners, the models' resolver, the sign-in throttle on the limiter's storage
    for name in ("portal.cache", "portal.services.wiring", "portal.services.accounts.throttle"):
        import_module(name).register(app)


def register_blueprints(app: Flask) -> None:
    from portal.web.inputs import register_converters

    register_converters(app)  # before the routes: `<int:…>` reads ids by the input layer's rules
    for name in BLUEPRINTS:
        module = import_module(f"portal.{name}")
        if hasattr(module, "register"):  # the API registers itself with its OpenAPI document
            module.register(app)
        else:
            app.register_blueprint(module.bp)
    from portal import cli

    cli.register(app)


def register_web(app: Flask) -> None:
    from portal.translations import labels
    from portal.web import errors, i18n, inputs, navigation, security, templating

    errors.register(app)
    inputs.register(app)
    security.register(app)
    navigation.register(app)
    i18n.register(app)
    labels.register(app)
    templating.register(app)
