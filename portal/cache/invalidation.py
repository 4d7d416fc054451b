"""The one place that invalidates cached configuration: the per-company generation.

Any flush that adds, changes or deletes a company's configuration rows or hierarchy bumps
`companies.config_generation` inside the same transaction. Cache keys carry the generation, so
the commit that makes a change visible also retires every cached value it could affect.
"""
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from portal.models import Branch, Company, NotificationConfiguration, PolicyConfiguration, Service, Staff

WATCHED = (PolicyConfiguration, NotificationConfiguration, Branch, Service, Staff)


def changed_companies(session: Session) -> set[int]:
    """Company ids whose configuration or hierarchy this flush touches."""
    ids = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        # A company's own settings (its name heads every tree) count as its hierarchy too.
        company_id = obj.id if isinstance(obj, Company) else getattr(obj, "company_id", None)
        if isinstance(obj, (*WATCHED, Company)) and company_id is not None:
            if obj in session.dirty and not session.is_modified(obj):
                continue
            ids.add(company_id)
    return ids


MEMO = "portal.cache.generations"  # the generations portal/cache/generation.py remembered
# Set while the transaction holds a generation bump it has not committed: what it reads then is
# worked out afresh and kept nowhere (under the new generation's keys it could outlive a rollback).
CHANGING = "portal.cache.changing"


def forget_generations(session: Session, *args) -> None:
    session.info.pop(MEMO, None)
    session.info.pop(CHANGING, None)


def bump_generation(session: Session, flush_context=None, instances=None) -> None:
    ids = changed_companies(session)
    if ids:
        forget_generations(session)
        session.info[CHANGING] = True
        session.execute(
            update(Company)
            .where(Company.id.in_(sorted(ids)))
            .values(config_generation=Company.config_generation + 1)
            .execution_options(synchronize_session=False)
        )


def register(app) -> None:
    if not event.contains(Session, "before_flush", bump_generation):
        event.listen(Session, "before_flush", bump_generation)
        for name in ("after_commit", "after_rollback", "after_soft_rollback"):
            event.listen(Session, name, forget_generations)
