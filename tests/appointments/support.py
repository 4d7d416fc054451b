"""Factories for appointments, modifications and policy rows (commit and return snapshots)."""
from datetime import datetime, timedelta
from decimal import Decimal

from portal.domain.policy_schema import validate_config
from portal.extensions import db
from portal.models import Appointment, AppointmentModification, PolicyConfiguration, utcnow
from tests.support import snapshot


def now_seconds() -> datetime:
    """utcnow() without microseconds (what MariaDB stores)."""
    return utcnow().replace(microsecond=0)


class Bookings:
    """Appointments, modifications and policy rows of one `world` (see tests.support.Maker.world)."""

    def __init__(self, make, world):
        self.make, self.world, self.app = make, world, make.app

    def _save(self, obj):
        with self.app.app_context():
            db.session.add(obj)
            db.session.commit()
            return snapshot(obj)

    def customer(self, **kw):
        return self.make.customer(self.world.company, **kw)

    def appointment(self, customer=None, *, hours_ahead: float = 48, branch=None, service=None,
                    staff="ann", price="40.00", status="scheduled", series=None, starts_at=None):
        world = self.world
        customer = customer or self.customer()
        staff = getattr(world, staff) if isinstance(staff, str) else staff
        starts = starts_at or now_seconds() + timedelta(hours=hours_ahead)
        return self._save(Appointment(
            company_id=world.company.id, branch_id=(branch or world.north).id,
            service_id=(service or world.cut).id, staff_id=staff.id if staff else None,
            customer_id=customer.id, starts_at=starts, ends_at=starts + timedelta(minutes=30),
            price=Decimal(price) if price is not None else None, status=status,
            recurring_series_id=series))

    def modification(self, appointment, kind="cancel", *, at=None, within_policy=True, fee="0.00",
                     reason=None, meta=None):
        at = at or now_seconds() - timedelta(days=1)
        return self._save(AppointmentModification(
            company_id=appointment.company_id, appointment_id=appointment.id,
            customer_id=appointment.customer_id, modification_type=kind, within_policy=within_policy,
            fee_charged=Decimal(fee), reason=reason, modified_by_type="user",
            modified_by_id=self.world.admin.id, meta=meta or {"hours_notice": 30.0},
            created_at=at, updated_at=at))

    def policy(self, level, entity_id, raw: dict, policy_type="cancellation"):
        config, errors = validate_config(policy_type, raw)
        assert not errors, errors
        return self._save(PolicyConfiguration(
            company_id=self.world.company.id, configurable_type=level, configurable_id=entity_id,
            policy_type=policy_type, config=config))


def appointment_records(make, world) -> dict:
    """URL arguments of the appointments area naming records of `world` (for tests/test_access)."""
    bookings = Bookings(make, world)
    appointment = bookings.appointment()
    modification = bookings.modification(appointment)
    return {"appointment_id": appointment.id, "customer_id": appointment.customer_id,
            "modification_id": modification.id}
