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
    """Factories for test data. Each public call stores its rows in one app context and one
    commit, and returns snapshots of them as read back from the database after that commit.

    The `_company`, `_branch`, ... builders only add a row to the current session and flush (so
    its id is known): `world()` builds a whole company with them and commits once."""

    def __init__(self, app):
        self.app = app
        self.counter = 0

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    @staticmethod
    def _add(obj):
        db.session.add(obj)
        db.session.flush()
        return obj

    @staticmethod
    def _commit(obj) -> SimpleNamespace:
        db.session.commit()
        return snapshot(obj)  # the commit expired it: this reads the stored values back

    # --- builders: one row in the current session, no commit ---------------------------------
    def _company(self, **kw) -> Company:
        n = self._next()
        # English unless a test opts in to German (the model's default is "de"): the tests read English.
        return self._add(Company(**{"name": f"Company {n}", "slug": f"company-{n}", "default_language": "en",
                                    **kw}))

    def _branch(self, company_id: int, **kw) -> Branch:
        return self._add(Branch(**{"company_id": company_id, "name": f"Branch {self._next()}", **kw}))

    def _service(self, company_id: int, branches: list[Branch], **kw) -> Service:
        service = Service(**{"company_id": company_id, "name": f"Service {self._next()}", **kw})
        for branch in branches:
            branch.services.append(service)
        return self._add(service)

    def _staff(self, company_id: int, branch_id: int, services: list[Service], **kw) -> Staff:
        member = Staff(**{"company_id": company_id, "branch_id": branch_id,
                          "name": f"Staff {self._next()}", **kw})
        member.services = list(services)
        return self._add(member)

    def _customer(self, company_id: int, **kw) -> Customer:
        n = self._next()
        return self._add(Customer(**{"company_id": company_id, "name": f"Customer {n}",
                                     "phone": f"+4915110{n:05d}", **kw}))

    def _user(self, company_id: int, role: str, branch_id=None, staff_id=None, email=None,
              password=PASSWORD) -> User:
        user = User(company_id=company_id, role=role, name=f"{role} {self._next()}",
                    email=email or f"{role}{self.counter}@c{company_id}.test",
                    branch_id=branch_id, staff_id=staff_id)
        user.set_password(password)
        return self._add(user)

    # --- factories: take and return snapshots, one commit each ---------------------------------
    def company(self, **kw):
        with self.app.app_context():
            return self._commit(self._company(**kw))

    def branch(self, company, **kw):
        with self.app.app_context():
            return self._commit(self._branch(company.id, **kw))

    def service(self, company, branches=(), **kw):
        with self.app.app_context():
            offering = [db.session.get(Branch, branch.id) for branch in branches]
            return self._commit(self._service(company.id, offering, **kw))

    def staff(self, company, branch, services=(), **kw):
        with self.app.app_context():
            performed = [db.session.get(Service, s.id) for s in services]
            return self._commit(self._staff(company.id, branch.id, performed, **kw))

    def customer(self, company, **kw):
        with self.app.app_context():
            return self._commit(self._customer(company.id, **kw))

    def user(self, company, role="admin", branch=None, staff=None, email=None, password=PASSWORD):
        with self.app.app_context():
            return self._commit(self._user(company.id, role, branch_id=branch.id if branch else None,
                                           staff_id=staff.id if staff else None, email=email,
                                           password=password))

    def world(self):
        """A small company: two branches, two services, three staff, one user of each role.
        Built in one app context and stored with one commit."""
        with self.app.app_context():
            company = self._company()
            north, south = self._branch(company.id, name="North"), self._branch(company.id, name="South")
            cut = self._service(company.id, [north, south], name="Cut", price=40)
            dye = self._service(company.id, [north], name="Dye", price=90)
            ann = self._staff(company.id, north.id, [cut, dye], name="Ann")
            bob = self._staff(company.id, north.id, [cut], name="Bob")
            cy = self._staff(company.id, south.id, [cut], name="Cy")
            rows = {
                "company": company, "north": north, "south": south, "cut": cut, "dye": dye, "ann": ann, "bob": bob, "cy": cy,
                "admin": self._user(company.id, "admin"),
                "manager": self._user(company.id, "branch_manager", branch_id=north.id),
                "agent": self._user(company.id, "agent", staff_id=bob.id),
            }
            db.session.commit()
            return SimpleNamespace(**{name: snapshot(obj) for name, obj in rows.items()})


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
