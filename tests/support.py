"""Test helpers: a client that signs in through the real form and sends CSRF tokens,
and factories that create rows in their own app context and hand back plain snapshots."""
import re
from types import SimpleNamespace

from flask.testing import FlaskClient
from sqlalchemy import inspect

from portal.extensions import db
from portal.models import Branch, Company, Customer, Service, Staff, User

PASSWORD = "correct-horse-battery"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class PortalClient(FlaskClient):
    """Test client that behaves like a browser: forms carry the CSRF token of the session."""

    def csrf_token(self, page: str = "/login") -> str:
        html = self.get(page).get_data(as_text=True)
        match = CSRF_RE.search(html)
        if match is None:  # signed in: /login redirects, the dashboard has the logout form
            match = CSRF_RE.search(self.get("/").get_data(as_text=True))
        assert match, "no CSRF token found"
        return match.group(1)

    def login(self, email: str, password: str = PASSWORD):
        token = self.csrf_token("/login")
        return self.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        return self.post("/logout", data={"csrf_token": self.csrf_token("/")})

    def submit(self, url: str, data: dict | None = None, **kwargs):
        """POST a form the way the browser does, with this session's CSRF token."""
        return self.post(url, data={**(data or {}), "csrf_token": self.csrf_token("/")}, **kwargs)


def snapshot(obj) -> SimpleNamespace:
    """Column values of an ORM object, safe to use after its session is gone."""
    return SimpleNamespace(**{attr.key: getattr(obj, attr.key) for attr in inspect(obj).mapper.column_attrs})


class Maker:
    """Factories for test data; every call commits and returns a snapshot."""

    def __init__(self, app):
        self.app = app
        self.counter = 0

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def _save(self, obj):
        with self.app.app_context():
            db.session.add(obj)
            db.session.commit()
            return snapshot(obj)

    def company(self, **kw):
        n = self._next()
        return self._save(Company(**{"name": f"Company {n}", "slug": f"company-{n}", **kw}))

    def branch(self, company, **kw):
        return self._save(Branch(**{"company_id": company.id, "name": f"Branch {self._next()}", **kw}))

    def service(self, company, branches=(), **kw):
        with self.app.app_context():
            service = Service(**{"company_id": company.id, "name": f"Service {self._next()}", **kw})
            db.session.add(service)
            offering = [db.session.get(Branch, branch.id) for branch in branches]
            for branch in offering:
                branch.services.append(service)
            db.session.commit()
            return snapshot(service)

    def staff(self, company, branch, services=(), **kw):
        with self.app.app_context():
            member = Staff(**{"company_id": company.id, "branch_id": branch.id,
                              "name": f"Staff {self._next()}", **kw})
            member.services = [db.session.get(Service, s.id) for s in services]
            db.session.add(member)
            db.session.commit()
            return snapshot(member)

    def customer(self, company, **kw):
        n = self._next()
        return self._save(Customer(**{"company_id": company.id, "name": f"Customer {n}",
                                      "phone": f"+4915110{n:05d}", **kw}))

    def user(self, company, role="admin", branch=None, staff=None, email=None, password=PASSWORD):
        with self.app.app_context():
            user = User(company_id=company.id, role=role, name=f"{role} {self._next()}",
                        email=email or f"{role}{self.counter}@c{company.id}.test",
                        branch_id=branch.id if branch else None, staff_id=staff.id if staff else None)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            return snapshot(user)

    def world(self):
        """A small company: two branches, two services, three staff, one user of each role."""
        company = self.company()
        north, south = self.branch(company, name="North"), self.branch(company, name="South")
        cut = self.service(company, branches=[north, south], name="Cut", price=40)
        dye = self.service(company, branches=[north], name="Dye", price=90)
        ann = self.staff(company, north, services=[cut, dye], name="Ann")
        bob = self.staff(company, north, services=[cut], name="Bob")
        cy = self.staff(company, south, services=[cut], name="Cy")
        return SimpleNamespace(
            company=company, north=north, south=south, cut=cut, dye=dye, ann=ann, bob=bob, cy=cy,
            admin=self.user(company, "admin"),
            manager=self.user(company, "branch_manager", branch=north),
            agent=self.user(company, "agent", staff=bob),
        )


class QueryCounter:
    """Counts SQL statements sent through an engine while the block runs."""

    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def _record(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __enter__(self):
        from sqlalchemy import event
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event
        event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)
