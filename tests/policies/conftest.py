import pytest

from portal.extensions import db
from portal.models import PolicyConfiguration


@pytest.fixture
def add_row(app, world):
    """Store a policy row directly (as if saved earlier) and return its id."""

    def add(level, entity_id, config, policy_type="cancellation"):
        with app.app_context():
            row = PolicyConfiguration(company_id=world.company.id, configurable_type=level,
                                      configurable_id=entity_id, policy_type=policy_type, config=config)
            db.session.add(row)
            db.session.commit()
            return row.id

    return add


def editor_url(level, entity_id, policy_type="cancellation"):
    return f"/policies/{policy_type}/{level}/{entity_id}"
