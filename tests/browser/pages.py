"""Every page of every role, for the conformance tests (width at phone and desktop sizes, axe-core,
the Nu HTML checker) and the screenshots.

A new page joins by adding one `Page` to PAGES: a name, the roles that use it, and its path, where
`{name}` fills in an id of the demo company from `demo_ids()` (add a key there when a page needs a
record no entry names yet). The tests visit each page once per role listed, signed in as that
role's demo login; `shots` names the pages whose screenshots are kept under
artifacts/screenshots/screens/ at both sizes.
"""
from dataclasses import dataclass

from sqlalchemy import select

from portal.demo.seed import demo_company
from portal.extensions import db
from portal.models import (
    Appointment,
    AppointmentModification,
    CallbackRequest,
    Customer,
    Delivery,
    Service,
    Staff,
    User,
    branch_services,
    staff_services,
    utcnow,
)

ADMIN, MANAGER, AGENT = "admin", "manager", "agent"
EVERYONE = (ADMIN, MANAGER, AGENT)
OFFICE = (ADMIN, MANAGER)  # appointments are for admins and branch managers
LOGINS = {ADMIN: "admin@demo.test", MANAGER: "manager@demo.test", AGENT: "agent@demo.test"}
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}


@dataclass(frozen=True)
class Page:
    name: str
    roles: tuple[str, ...]
    path: str  # "{callback}" and the like: filled from demo_ids()
    shot: bool = False  # keep a screenshot at both sizes

    def url(self, ids: dict[str, int]) -> str:
        return self.path.format(**ids)


PAGES: list[Page] = [
    Page("dashboard", EVERYONE, "/"),
    Page("policy tree", EVERYONE, "/policies/?type=cancellation", shot=True),
    Page("policy tree, one branch", EVERYONE, "/policies/?type=reschedule&branch={branch}"),
    Page("policy tree, callback rules", EVERYONE, "/policies/?type=callback"),
    Page("policy editor, company", EVERYONE, "/policies/cancellation/company/{company}"),
    Page("policy editor, branch", EVERYONE, "/policies/cancellation/branch/{branch}", shot=True),
    Page("policy editor, service under a branch", EVERYONE,
         "/policies/cancellation/service/{service}?branch={branch}"),
    Page("policy editor, staff", EVERYONE, "/policies/cancellation/staff/{staff}?service={service}"),
    Page("policy history", EVERYONE, "/policies/cancellation/branch/{branch}/history"),
    Page("policy simulator", EVERYONE, "/policies/simulator"),
    Page("policy simulator, a result", EVERYONE,
         "/policies/simulator?level=branch&entity_id={branch}&scenario=cancel&hours=5&price=40"),
    Page("callback queue", EVERYONE, "/callbacks/", shot=True),
    Page("callback queue, all tabs", EVERYONE, "/callbacks/?tab=all"),
    Page("new callback", EVERYONE, "/callbacks/new"),
    Page("callback detail", EVERYONE, "/callbacks/{callback}"),
    Page("API tokens", (ADMIN,), "/callbacks/tokens"),
    Page("API reference", (ADMIN,), "/api/v1/reference"),
    Page("appointments", OFFICE, "/appointments/"),
    Page("appointment", OFFICE, "/appointments/{appointment}"),
    Page("cancel preview", OFFICE, "/appointments/{appointment}/cancel"),
    Page("reschedule", OFFICE, "/appointments/{appointment}/reschedule"),
    Page("customer", OFFICE, "/appointments/customers/{customer}"),
    Page("modifications audit", OFFICE, "/appointments/modifications", shot=True),
    Page("modification", OFFICE, "/appointments/modifications/{modification}"),
    Page("rolling counts report", OFFICE, "/appointments/stats"),
    Page("notification events", EVERYONE, "/notifications/"),
    Page("notification matrix, company", EVERYONE, "/notifications/company/{company}"),
    Page("notification matrix, branch", EVERYONE, "/notifications/branch/{branch}", shot=True),
    Page("notification matrix, staff", EVERYONE, "/notifications/staff/{staff}?service={service}"),
    Page("notification cell editor", EVERYONE,
         "/notifications/branch/{branch}/cell/reminder_24h/sms", shot=True),
    Page("delivery plan", EVERYONE, "/notifications/branch/{branch}/plan/reminder_24h"),
    Page("notification bulk preview", (ADMIN,),
         "/notifications/branch/{branch}/bulk?events=category:reminder&channels=whatsapp&enabled=off"),
    Page("delivery log", OFFICE, "/deliveries", shot=True),
    Page("delivery log, failures", OFFICE, "/deliveries?status=failed&channel=sms"),
    Page("delivery", OFFICE, "/deliveries/{delivery}", shot=True),
    Page("template preview", (ADMIN,), "/deliveries/templates?event=cancellation&language=de"),
    Page("users", (ADMIN,), "/admin/users"),
    Page("user", (ADMIN,), "/admin/users/{agent_user}"),
    Page("new user", (ADMIN,), "/admin/users/new"),
    Page("my account", EVERYONE, "/account"),
    Page("two-step sign-in set-up", EVERYONE, "/account/mfa"),
    Page("confirm it is you", EVERYONE, "/reauth?next=/account"),
    Page("security events", (ADMIN,), "/security/events"),
    Page("organisation", OFFICE, "/organisation/"),
    Page("company settings", (ADMIN,), "/organisation/company"),
    Page("branches", OFFICE, "/organisation/branches"),
    Page("branch", OFFICE, "/organisation/branches/{branch}"),
    Page("new branch", (ADMIN,), "/organisation/branches/new"),
    Page("deactivate branch", (ADMIN,), "/organisation/branches/{branch}/deactivate"),
    Page("services", OFFICE, "/organisation/services"),
    Page("service", OFFICE, "/organisation/services/{service}"),
    Page("new service", (ADMIN,), "/organisation/services/new"),
    Page("deactivate service", (ADMIN,), "/organisation/services/{service}/deactivate"),
    Page("staff", OFFICE, "/organisation/staff"),
    Page("staff member", OFFICE, "/organisation/staff/{staff}"),
    Page("new staff member", (ADMIN,), "/organisation/staff/new"),
    Page("deactivate staff member", (ADMIN,), "/organisation/staff/{staff}/deactivate"),
    Page("CSV import", (ADMIN,), "/organisation/import"),
    Page("a used or unknown sign-in link", EVERYONE, "/set-password/no-such-link"),
    Page("not found", EVERYONE, "/no/such/page"),
]


def pages_for(role: str) -> list[Page]:
    return [page for page in PAGES if role in page.roles]


def demo_ids() -> dict[str, int]:
    """Ids of demo records every role may open: the manager's branch and records in it
    (call inside an app context, after the demo is seeded)."""
    company = demo_company()
    manager = db.session.scalar(select(User).where(User.email == LOGINS[MANAGER]))
    branch = manager.branch_id
    service = db.session.scalar(select(Service.id).join(branch_services)
                                .where(branch_services.c.branch_id == branch).order_by(Service.id))
    staff = db.session.scalar(select(Staff.id).join(staff_services).where(
        Staff.branch_id == branch, staff_services.c.service_id == service).order_by(Staff.id))
    appointment = db.session.scalar(select(Appointment).where(
        Appointment.branch_id == branch, Appointment.status == "scheduled",
        Appointment.starts_at > utcnow()).order_by(Appointment.starts_at))
    callback = db.session.scalar(select(CallbackRequest.id).where(CallbackRequest.branch_id == branch)
                                 .order_by(CallbackRequest.id))
    modification = db.session.scalar(select(AppointmentModification.id).join(
        Appointment, Appointment.id == AppointmentModification.appointment_id).where(
        Appointment.branch_id == branch).order_by(AppointmentModification.id))
    customer = db.session.scalar(select(Customer.id).where(Customer.id == appointment.customer_id))
    agent_user = db.session.scalar(select(User.id).where(User.email == LOGINS[AGENT]))
    delivery = db.session.scalar(select(Delivery.id).where(Delivery.branch_id == branch).order_by(Delivery.id))
    return {"company": company.id, "branch": branch, "service": service, "staff": staff,
            "appointment": appointment.id, "callback": callback, "modification": modification,
            "customer": customer, "agent_user": agent_user, "delivery": delivery}
