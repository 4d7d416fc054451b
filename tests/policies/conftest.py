import pytest

from portal.extensions import db
from portal.models import PolicyConfiguration
from tests.html import Element, parse


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


def editor_page(client, level, entity_id, policy_type="cancellation") -> Element:
    return parse(client.get(editor_url(level, entity_id, policy_type)).get_data(as_text=True))


def effective(page: Element, key: str) -> tuple[str, str, str]:
    """(value, provenance kind, provenance words) of one key in the editor's "Effective now" column."""
    cell = page.one("tr", data_setting=key).one(data_effective=True)
    mark = cell.one(data_provenance=True)
    return cell.one(data_value=True).text, mark["data-provenance"], mark.spoken
