"""CSV bulk onboarding: a dry-run preview with a result per row, then one all-or-nothing apply."""
import io

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Branch, Service, Staff
from portal.services.organisation import importer
from tests.html import page

COMBINED = """kind,external_id,name,city,timezone,price,duration_minutes,branches,email,home_branch,services,active
branch,B-1,Mitte,Berlin,,,,,,,,yes
branch,B-2,Altona,Hamburg,Europe/Berlin,,,,,,,yes
service,S-1,Haircut,,,35.00,30,B-1; Altona,,,,yes
service,S-2,Colour,,,"89,50",90,Mitte,,,,
staff,E-1,Anna,,,,,,anna@example.com,B-1,S-1; Colour,yes
staff,E-2,Ben,,,,,,,Altona,Haircut,yes
staff,E-3,Sam Support,,,,,,,-,,yes
"""


def counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count(model.id))) for model in (Branch, Service, Staff, AuditEvent))


def upload(client, text: str, kind="combined"):
    return client.submit("/organisation/import", {"action": "preview", "kind": kind,
                                                  "file": (io.BytesIO(text.encode("utf-8")), "org.csv")},
                         content_type="multipart/form-data")


def apply(client, preview_page, kind="combined"):
    form = preview_page.one("form", class_="actions")
    text = form.field_value("csv_text")
    return client.submit("/organisation/import", {"action": "apply", "kind": kind, "csv_text": text,
                                                  "digest": form.one("input", name="digest")["value"]})


def results(preview_page) -> dict[int, str]:
    return {int(row["data-line"]): row["data-action"] for row in preview_page.find_all("tr", data_line=True)}


def errors_of(preview_page, line: int) -> str:
    return preview_page.one("tr", data_line=line).text


def test_preview_writes_nothing_then_apply_writes_everything_and_reimport_changes_nothing(app, client, make):
    company = make.company()
    admin = make.user(company, "admin")
    client.login(admin.email)
    before = counts(app)
    preview = page(upload(client, COMBINED))
    assert set(results(preview).values()) == {"create"}
    assert len(results(preview)) == 7
    assert counts(app) == before
    assert apply(client, preview).status_code == 302
    with app.app_context():
        haircut = db.session.scalar(select(Service).where(Service.external_id == "S-1"))
        assert {b.name for b in haircut.branches} == {"Mitte", "Altona"}
        anna = db.session.scalar(select(Staff).where(Staff.external_id == "E-1"))
        assert (anna.branch.name, {s.name for s in anna.services}) == ("Mitte", {"Haircut", "Colour"})
        assert db.session.scalar(select(Staff.branch_id).where(Staff.name == "Sam Support")) is None
        assert str(db.session.scalar(select(Service.price).where(Service.name == "Colour"))) == "89.50"
    after_apply = counts(app)
    again = page(upload(client, COMBINED))
    assert set(results(again).values()) == {"unchanged"}
    assert again.one(data_nothing_to_do=True)
    assert counts(app) == after_apply


def test_rows_match_by_external_id_else_by_name_and_updates_say_what_changes(app, client, world):
    client.login(world.admin.email)
    text = ("external_id,name,city\n"
            "N-1,North,Bremen\n"  # matched by name: gets the external id and a city
            "S-9,South,\n")
    preview = page(upload(client, text, "branch"))
    assert results(preview) == {2: "update", 3: "update"}
    assert "city — → Bremen" in errors_of(preview, 2)
    apply(client, preview, "branch")
    renamed = page(upload(client, "external_id,name\nN-1,North Side\n", "branch"))
    assert results(renamed) == {2: "update"}
    assert "name “North” → “North Side”" in errors_of(renamed, 2)


@pytest.mark.parametrize(("text", "kind", "line", "message"), [
    ("name,city\nX,Y\n", "staff", 1, "the column “home_branch” is missing"),
    ("kind,name\nbranch,X\nstaff,Y\n", "combined", 1, "the column “home_branch” is missing"),
    ("name,prize\nX,3\n", "service", 1, "unknown column “prize”"),
    ("name,home_branch\nAnna,Nowhere\n", "staff", 2, "Unknown branch “Nowhere”"),
    ("external_id,name\nB-1,One\nB-1,Two\n", "branch", 3, "The external id “B-1” is on line 2 too"),
    ("name,price,duration_minutes\nCut,12.5x,30\n", "service", 2, "“12.5x” is not an amount in EUR"),
    ("name,timezone\nWien,Europe/Wein\n", "branch", 2, "“Europe/Wein” is not a time zone"),
    ("name,duration_minutes\nCut,0\n", "service", 2, "not a duration"),
    ("name\n\n,\n  \nX\nX\n", "branch", 6, "describes the branch “X” already"),
    ("kind,name\nshop,X\n", "combined", 2, "Unknown kind “shop”"),
    ("name,active\nX,perhaps\n", "branch", 2, "neither yes nor no"),
    ("name,branches\nCut,North;Nord\n", "service", 2, "Unknown branch “Nord”"),
    ("name,home_branch\nZed,North; South\n", "staff", 2, "One home branch only"),
])
def test_preview_errors_name_the_line_and_what_to_do(app, client, world, text, kind, line, message):
    client.login(world.admin.email)
    before = counts(app)
    response = upload(client, text, kind)
    assert response.status_code == 400
    preview = page(response)
    found = preview.one(data_file_errors=True).text if line == 1 else errors_of(preview, line)
    assert message in found
    assert preview.find("form", class_="actions") is None  # nothing to apply
    assert counts(app) == before


def test_a_row_naming_a_branch_whose_row_has_errors_says_so(client, world):
    client.login(world.admin.email)
    text = "kind,name,timezone,branches\nbranch,East,Nowhere/Zone,\nservice,Wash,,East\n"
    preview = page(upload(client, text))
    assert "The branch “East” on line 2 has errors" in errors_of(preview, 3)


def test_apply_refuses_a_file_with_errors_even_when_crafted(app, client, world):
    client.login(world.admin.email)
    before = counts(app)
    response = client.submit("/organisation/import", {"action": "apply", "kind": "branch",
                                                      "csv_text": "name,timezone\nX,Bad/Zone\n", "digest": "x"})
    assert response.status_code == 400
    assert counts(app) == before


def test_apply_refuses_when_the_organisation_changed_since_the_preview(app, client, world):
    client.login(world.admin.email)
    preview = page(upload(client, "name,city\nNorth,Kiel\n", "branch"))
    with app.app_context():
        db.session.get(Branch, world.north.id).city = "Lübeck"
        db.session.commit()
    response = apply(client, preview, "branch")
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Branch, world.north.id).city == "Lübeck"


def apply_directly(app, admin_id, company_id, text):
    """The importer's apply, as the page calls it, with the digest of a fresh preview."""
    from portal.domain.onboarding_plan import plan_digest
    from portal.models import User, utcnow

    with app.app_context():
        data = text.encode()
        digest = plan_digest(importer.preview(company_id, data, None))
        return importer.apply_import(db.session.get(User, admin_id), company_id, data, None, digest, utcnow())


def test_apply_is_all_or_nothing(app, world, monkeypatch):
    """A failure while writing the last kind (staff) leaves no branch or service behind either."""
    before = counts(app)
    original = importer.Writer._write_row

    def failing(self, row):
        if row.kind == "staff":
            raise RuntimeError("the database went away")
        return original(self, row)

    monkeypatch.setattr(importer.Writer, "_write_row", failing)
    with pytest.raises(RuntimeError):
        apply_directly(app, world.admin.id, world.company.id, COMBINED)
    assert counts(app) == before


def test_apply_is_all_or_nothing_when_the_database_refuses_a_row(app, client, world, monkeypatch):
    """A unique key the database enforces (a name taken by a concurrent write) rolls back all,
    and the page says so with a 409 and a new preview."""
    client.login(world.admin.email)
    preview = page(upload(client, COMBINED))
    before = counts(app)
    original = importer.Writer._write_row

    def colliding(self, row):
        written = original(self, row)
        if row.kind == "service":
            self.created[row.number].name = "Cut"  # an existing service's name: the flush fails
        return written

    monkeypatch.setattr(importer.Writer, "_write_row", colliding)
    response = apply(client, preview)
    assert response.status_code == 409
    assert "nothing was imported" in page(response).text
    assert counts(app) == before


def test_semicolon_separated_windows_files_read_too(app, client, world):
    client.login(world.admin.email)
    text = "name;city\r\nKöln Süd;Köln\r\n".encode("cp1252")
    response = client.submit("/organisation/import", {"action": "preview", "kind": "branch",
                                                      "file": (io.BytesIO(text), "org.csv")},
                             content_type="multipart/form-data")
    preview = page(response)
    assert results(preview) == {2: "create"}
    assert "Köln Süd" in errors_of(preview, 2)


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02", b"name\n" + b"x\n" * 6000, b"a" * 500_000])
def test_odd_files_are_a_clear_400(client, world, data):
    client.login(world.admin.email)
    response = client.submit("/organisation/import", {"action": "preview", "kind": "branch",
                                                      "file": (io.BytesIO(data), "odd.csv")},
                             content_type="multipart/form-data")
    assert response.status_code == 400
    assert page(response).one(data_file_errors=True).text


def test_no_file_is_a_400_with_a_message(client, world):
    client.login(world.admin.email)
    response = client.submit("/organisation/import", {"action": "preview", "kind": "branch"})
    assert response.status_code == 400
    assert page(response).one(id="file-error").text


@pytest.mark.parametrize("role", ["manager", "agent"])
def test_only_admins_import(client, world, role):
    client.login(getattr(world, role).email)
    assert client.get("/organisation/import").status_code == 403
