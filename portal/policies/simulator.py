"""The policy simulator on the policies tree: pick a node, the notice, a price and optionally a
customer, and see what the decision engine would decide and why. Read-only, so a GET form."""
from decimal import Decimal

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Optional

from portal.domain.clock import whole_seconds
from portal.domain.parsing import parse_id
from portal.domain.policy_schema import MAX_MONEY
from portal.extensions import db
from portal.models import Branch, Service, Staff, utcnow
from portal.policies import bp
from portal.policies.presenters import LEVEL_LABELS
from portal.services.appointments.read import search_customers
from portal.services.modifications.simulator import SCENARIOS, Scenario, simulate
from portal.services.policies.read import node_ref, path_labels
from portal.web.fields import NumberField, ValidText, WholeNumberField
from portal.web.inputs import arg_id
from portal.web.scope import current_scope

MAX_HOURS = Decimal(24 * 366)


class SimulatorForm(FlaskForm):
    class Meta:
        csrf = False  # nothing changes: a simulation is a read

    branch = SelectField(_l("Branch"), default="")
    service = SelectField(_l("Service"), default="")
    staff = SelectField(_l("Staff member"), default="")
    scenario = SelectField(_l("What the customer asks"), default="cancel",
                           choices=[SelectChoice(key, label) for key, label in SCENARIOS.items()])
    hours = NumberField(_l("Hours of notice"), default=Decimal(24), minimum=-MAX_HOURS, maximum=MAX_HOURS,
                        validators=[InputRequired(
                            _l("Enter the hours of notice (negative: after the start)."))],
                        message=_l("Hours of notice must be a number within a year either way, like 5.5."))
    price = NumberField(_l("Appointment price (EUR)"), minimum=Decimal(0), maximum=MAX_MONEY,
                        message=_l("The price must be between 0 and 99,999,999.99, like 45.50."))
    customer = StringField(_l("Customer (optional)"), validators=[Optional(), ValidText(100)],
                           description=_l("Name, phone or #id: their real 30-day counts are used."))
    rolling = WholeNumberField(_l("Modifications in the last 30 days"), default=0, maximum=10_000,
                               message=_l("Enter a whole number from 0 to 10,000."),
                               description=_l("Used when no customer is picked."))
    moved = WholeNumberField(_l("Times this appointment was moved before"), default=0, maximum=1000,
                             message=_l("Enter a whole number from 0 to 1,000."))


def _choices(model, blank: str, *criteria) -> list[SelectChoice]:
    rows = db.session.scalars(current_scope().whole_company().select(model, *criteria).order_by(model.name))
    return [SelectChoice("", blank)] + [SelectChoice(str(row.id), row.name) for row in rows]


def _picked_node(form: SimulatorForm):
    """The node: from a tree link (level, entity_id and its context) or from the three pickers."""
    company_id, args = current_user.company_id, request.args
    if "level" in args:
        node = node_ref(company_id, args["level"], arg_id("entity_id", label=_("Node")) or 0,
                        branch_id=arg_id("branch"), service_id=arg_id("service"))
        context = dict(node.path[1:-1] if node.level != "branch" else ())
        form.branch.data = str(context.get("branch", node.entity_id if node.level == "branch" else ""))
        form.service.data = str(context.get("service", node.entity_id if node.level == "service" else ""))
        form.staff.data = str(node.entity_id) if node.level == "staff" else ""
        return node
    picked = {name: ident for name in ("branch", "service", "staff")
              if (ident := parse_id(getattr(form, name).data)) is not None}
    if "staff" in picked:
        return node_ref(company_id, "staff", picked["staff"], service_id=picked.get("service"))
    if "service" in picked:
        return node_ref(company_id, "service", picked["service"], branch_id=picked.get("branch"))
    if "branch" in picked:
        return node_ref(company_id, "branch", picked["branch"])
    return node_ref(company_id, "company", company_id)


def _query_args(form: SimulatorForm) -> dict[str, str]:
    """The simulator's own arguments of this request (links to it keep them, and nothing else)."""
    names = {*form._fields, "level", "entity_id"}
    return {name: value for name, value in request.args.items() if name in names}


def _customer(form: SimulatorForm):
    """(customer, other matches) for the typed customer; a field error when none or several."""
    text = (form.customer.data or "").strip()
    if not text:
        return None, []
    if current_user.is_agent:
        abort(403, _("Support agents cannot look up customers' modification counts."))
    found = search_customers(current_scope(), text)
    if len(found) != 1:
        form.customer.errors = [_("Several customers match; pick one below.") if found
                                else _("No customer matches.")]
        return None, found
    return found[0], []


@bp.get("/simulator")
@login_required
def simulator():
    form = SimulatorForm(formdata=request.args)
    form.branch.choices = _choices(Branch, _l("Any (company level)"))
    form.service.choices = _choices(Service, _l("Any service"))
    form.staff.choices = _choices(Staff, _l("Any staff"), Staff.is_active.is_(True))
    # A link into the simulator names only the node ("Simulate a decision here"): show the form
    # for it, with its defaults, and judge the inputs once the form itself was sent.
    asked = "hours" in request.args
    valid = form.validate() if asked else True
    node = _picked_node(form)
    customer, matches = _customer(form) if valid else (None, [])
    if not valid or form.customer.errors or not asked:
        return render_template("policies/simulator.html", form=form, node=node, result=None,
                               matches=matches, labels=path_labels(node), level_labels=LEVEL_LABELS,
                               query_args=_query_args(form)), 400 if asked else 200
    scenario = Scenario(form.scenario.data, form.hours.data, form.price.data, customer,
                        form.rolling.data or 0, form.moved.data or 0)
    result = simulate(current_user.company_id, node, scenario, whole_seconds(utcnow()))
    return render_template("policies/simulator.html", form=form, node=node, result=result, matches=[],
                           labels=[name for _, _, name in result.path], level_labels=LEVEL_LABELS)
