"""The tenant scope: the one way every query reaches tenant rows.

A Scope is one company, optionally narrowed to one branch. `scope.select(Model)` and
`scope.get(Model, id)` put the company filter — and, for rows that belong to a branch, the
branch filter — inside the query itself, so a record outside is simply not found (a 404 for
the pages, never a 403 that would confirm it exists).

Who sees what (DESIGN §6): admins the whole company; a branch manager their branch, and a
manager without a branch sees nothing of any branch; agents their branch when their account
has one, else the company. Company-wide rows (services catalog, policy and notification rows,
users, tokens, audit events) carry no branch and are filtered by company alone.
"""
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import cast

from sqlalchemy import ColumnElement, Select, bindparam, exists, false, select

from portal.domain.parsing import parse_id
from portal.extensions import db
from portal.models import (
    Appointment,
    AppointmentModification,
    Branch,
    CallbackClosedCount,
    CallbackClosedTotal,
    CallbackEscalation,
    CallbackRequest,
    Customer,
    Delivery,
    DeliveryAttempt,
    ModificationTotal,
    Staff,
    User,
)

NO_BRANCH = 0  # no row has id 0: a scope on it sees nothing of any branch


def _branch_rules() -> dict[type, Callable[[int], ColumnElement[bool]]]:
    """For each model that belongs to a branch: the criterion "belongs to branch b"."""
    return {
        Branch: lambda b: Branch.id == b,
        Staff: lambda b: Staff.branch_id == b,
        Appointment: lambda b: Appointment.branch_id == b,
        CallbackRequest: lambda b: CallbackRequest.branch_id == b,
        CallbackEscalation: lambda b: exists().where(
            CallbackRequest.id == CallbackEscalation.callback_request_id, CallbackRequest.branch_id == b),
        # A customer belongs to every branch where they have an appointment.
        Customer: lambda b: exists().where(
            Appointment.customer_id == Customer.id, Appointment.company_id == Customer.company_id,
            Appointment.branch_id == b),
        AppointmentModification: lambda b: exists().where(
            Appointment.id == AppointmentModification.appointment_id, Appointment.branch_id == b),
        # A delivery keeps the branch of the appointment or callback it is about.
        Delivery: lambda b: Delivery.branch_id == b,
        DeliveryAttempt: lambda b: exists().where(Delivery.id == DeliveryAttempt.delivery_id,
                                                  Delivery.branch_id == b),
        # The counters keep the branch of what they count.
        CallbackClosedCount: lambda b: CallbackClosedCount.branch_id == b,
        CallbackClosedTotal: lambda b: CallbackClosedTotal.branch_id == b,
        ModificationTotal: lambda b: ModificationTotal.branch_id == b,
    }


BRANCH_RULES = _branch_rules()


@dataclass(frozen=True)
class Scope:
    company_id: int
    branch_id: int | None = None  # None: the whole company; NO_BRANCH: nothing of any branch
    staff_id: int | None = None  # the signed-in person's staff record ("my callbacks")

    @classmethod
    def of(cls, user: User) -> "Scope":
        """What `user` may see."""
        if user.is_admin:
            branch_id = None
        elif user.role == "branch_manager":
            branch_id = user.branch_id or NO_BRANCH
        else:
            branch_id = user.branch_id
        return cls(user.company_id, branch_id, user.staff_id)

    @classmethod
    def company(cls, company_id: int) -> "Scope":
        """The whole company: commands, API tokens, company-wide reads."""
        return cls(company_id)

    @classmethod
    def company_at_run(cls, name: str = "company_id") -> "Scope":
        """The company given as the parameter `name` each time the statement runs: for a statement
        built once and run on every request of a hot path (building one costs more than running it)."""
        return cls(cast(int, bindparam(name)))

    @classmethod
    def at_run(cls, limited: bool) -> "Scope":
        """A scope whose company and (`limited`) branch are the parameters `company_id` and
        `scope_branch`, given each time the statement runs: a scope's `run_values()`. For
        statements built once per shape of scope."""
        branch = cast(int, bindparam("scope_branch")) if limited else None
        return cls(cast(int, bindparam("company_id")), branch)

    def run_values(self) -> dict[str, int | None]:
        """The parameters of `Scope.at_run(self.limited)` for this scope."""
        return {"company_id": self.company_id, "scope_branch": self.branch_id}

    @property
    def limited(self) -> bool:
        """True when the scope is one branch (or none), not the whole company."""
        return self.branch_id is not None

    def whole_company(self) -> "Scope":
        """The same company without the branch limit (company-wide pages, read-only for managers)."""
        return replace(self, branch_id=None)

    def where(self, model) -> list[ColumnElement[bool]]:
        """WHERE criteria limiting `model` to this scope."""
        criteria = [model.company_id == self.company_id]
        rule = BRANCH_RULES.get(model)
        if self.branch_id is not None and rule is not None:  # self.limited, spelt out for mypy
            # A branch given at run time may be NO_BRANCH too: no row has that id.
            nothing = isinstance(self.branch_id, int) and self.branch_id == NO_BRANCH
            criteria.append(false() if nothing else rule(self.branch_id))
        return criteria

    def select(self, model, *criteria) -> Select:
        """SELECT of `model` within this scope (further `criteria` added)."""
        return select(model).where(*self.where(model), *criteria)

    def get(self, model, ident, *criteria):
        """One row within this scope by primary key (an int or its digits), or None."""
        ident = parse_id(ident)
        if ident is None:
            return None
        return db.session.scalar(self.select(model, model.id == ident, *criteria))
