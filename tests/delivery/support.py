"""Servers the delivery tests talk to: a real SMTP server (aiosmtpd) and an HTTP provider, both in
the test process, and helpers to configure cells and change appointments through the services."""
import json
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from portal.extensions import db
from portal.models import Appointment, NotificationConfiguration, User
from portal.services.modifications.change import Change, modify_appointment
from portal.services.modifications.policy import propose


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler: every message the server accepted, parsed."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class SmtpSink:
    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Provider:
    """A webhook provider: records each POST and answers with the next scripted (status, JSON)."""

    answers: list[tuple[int, dict]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def start(self) -> "Provider":
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                provider.received.append(Received(self.path, dict(self.headers), body))
                status, answer = provider.answers.pop(0) if provider.answers else (200, {"status": "ok"})
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def set_cell(app, company_id: int, event_type: str, channel: str, level: str = "company",
             entity_id: int | None = None, **settings) -> None:
    """Store one notification configuration row (what the configuration pages save)."""
    with app.app_context():
        db.session.add(NotificationConfiguration(
            company_id=company_id, configurable_type=level, configurable_id=entity_id or company_id,
            event_type=event_type, channel=channel, **settings))
        db.session.commit()


def change_appointment(user_id: int, appointment_id: int, action: str, now: datetime,
                       new_starts_at: datetime | None = None, reason: str = "") -> None:
    """Cancel or reschedule through the service the pages and the API use (inside an app context)."""
    user = db.session.get(User, user_id)
    appointment = db.session.get(Appointment, appointment_id)
    proposal = propose(appointment, action, now, False, new_starts_at)
    modify_appointment(user, appointment, Change(action, new_starts_at=new_starts_at, reason=reason,
                                                 force=True, seen=proposal.fingerprint), now)


def add_delivery(app, world) -> int:
    """A delivery of `world`'s company (a cancellation notice to a new customer), for the route walks."""
    from decimal import Decimal

    from portal.models import Customer, utcnow
    from portal.services.delivery.outbox import emit

    with app.app_context():
        now = utcnow().replace(microsecond=0)
        customer = Customer(company_id=world.company.id, name="Walk Customer", email="walk@example.test",
                            consents={"email": True})
        db.session.add(customer)
        db.session.flush()
        appointment = Appointment(company_id=world.company.id, branch_id=world.north.id, service_id=world.cut.id,
                                  staff_id=world.ann.id, customer_id=customer.id, starts_at=now,
                                  ends_at=now, price=Decimal("40.00"), status="cancelled")
        db.session.add(appointment)
        db.session.flush()
        delivery = emit(world.company.id, "cancellation", appointment=appointment, now=now)
        assert delivery is not None
        db.session.commit()
        return delivery.id
