"""Probes for load balancers and orchestrators: /livez (the process answers) and /healthz (it can
also reach the database and the cache). Neither needs a session; /livez touches nothing at all,
so a database outage never makes a balancer restart healthy app processes."""
import logging

from portal.extensions import db
from portal.main import bp
from portal.services.checks import check_cache, check_database

log = logging.getLogger(__name__)

PROBES = (("database", check_database), ("cache", check_cache))


@bp.get("/livez")
def livez():
    return {"status": "alive"}


@bp.get("/healthz")
def healthz():
    """200 when the database and the cache both answer, else 503 naming the failing ones."""
    checks = {name: _probe(name, check) for name, check in PROBES}
    failing = [name for name, state in checks.items() if state != "ok"]
    body = {"status": "failing" if failing else "ok", "checks": checks, "failing": failing}
    return body, 503 if failing else 200


def _probe(name: str, check) -> str:
    """"ok" or "failing" (the log says why: a public probe does not)."""
    try:
        check()
        return "ok"
    except Exception as exc:  # whatever it is, the answer is "failing"
        log.warning("Health check: %s failing: %s", name, str(exc).splitlines()[0][:300] if str(exc) else exc)
        return "failing"
    finally:
        try:
            db.session.rollback()  # end the probe's transaction; on a lost connection this fails too
        except Exception:
            log.debug("Health check: rollback failed", exc_info=True)
