"""The tree says each distinct cell once a page, and says it exactly as the node alone would."""
import pytest
from flask_babel import force_locale

from portal.policies.presenters import build_tree_view, cells_for, fee_view, said_fee, tree_context
from portal.policies.tree_words import said_cell
from portal.services.policies.tree import view_tree
from tests.html import parse


@pytest.fixture
def rows_everywhere(world, add_row):
    add_row("company", world.company.id, {"hours_before": 24, "fee": "10.00"})
    add_row("branch", world.north.id, {"hours_before": 24, "max_cancellations_per_month": "unlimited"})
    add_row("service", world.cut.id, {"fee_percentage": "20.00"})
    add_row("staff", world.ann.id, {"require_reason": True, "fee_tiers": [{"min_hours": 24, "fee": "5.00"}]})


def tree_nodes(view):
    yield view
    for child in view.children:
        yield from tree_nodes(child)


def branch_view(app, world, language):
    """The North view, and per node (by level, id and tree position) its cells and fee rule as
    the node's own editor builds them, said in `language`."""
    with app.test_request_context("/"), force_locale(language):
        part = view_tree(world.company.id, "cancellation", world.north.id, "", 1500)
        view = build_tree_view("cancellation", part.root, part.rows, world.north.id, "")
        alone = {(node.level, node.entity_id, tree_context(node)): (
            [said_cell(cell) for cell in cells_for("cancellation", node.resolved, node.level, node.entity_id,
                                                   node.set_aside)],
            said_fee(fee_view("cancellation", node.resolved, node.set_aside, node.level, node.entity_id)))
            for node in part.root.walk()}
        return view, alone


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_tree_cell_reads_as_the_node_alone_says_it(app, world, rows_everywhere, language):
    view, alone = branch_view(app, world, language)
    shown = list(tree_nodes(view))
    assert len(shown) == 7  # the company, North, Cut and Dye, Ann and Bob under Cut, Ann under Dye
    for node in shown:
        cells, fee = alone[(node.level, node.entity_id, node.context)]
        assert list(node.cells) == cells
        assert node.fee_rule == fee
    assert {cell.provenance.__class__ for node in shown for cell in node.cells} == {str}  # said already


def test_nodes_that_read_the_same_share_one_said_cells(app, world, rows_everywhere, make):
    make.staff(world.company, world.north, services=[world.cut], name="Dan")
    view, _alone = branch_view(app, world, "en")
    cut = next(node for node in tree_nodes(view) if (node.level, node.entity_id) == ("service", world.cut.id))
    staff = {child.name: child for child in cut.children}
    assert staff["Bob"].cells is staff["Dan"].cells  # both inherit everything: one tuple, rendered once
    assert staff["Bob"].cells is not staff["Ann"].cells  # Ann sets her own keys
    assert staff["Ann"].cells[0] is cut.cells[0]  # hours_before: the same value from North at both


def test_the_german_tree_names_the_level_below_in_german(client, world, rows_everywhere, make):
    from portal.extensions import db
    from portal.models import Company

    with client.application.app_context():
        db.session.get(Company, world.company.id).default_language = "de"
        db.session.commit()
    client.login(world.admin.email)
    page = parse(client.get(f"/policies/?type=cancellation&branch={world.north.id}").get_data(as_text=True))
    summaries = [summary.text for summary in page.find_all("summary") if "unter" in summary.text]
    assert "2 Leistung-Knoten unter North" in summaries
    assert not [text for text in summaries if " service" in text or " staff" in text or " branch" in text]
