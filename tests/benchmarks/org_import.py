"""Benchmark: CSV bulk onboarding (preview, apply, re-import) vs row-by-row ORM with a commit per row.

    python -m tests.benchmarks.org_import --engine mariadb   (recreates the database wt_org_bench)
    python -m tests.benchmarks.org_import --engine sqlite

One combined file per size: B branches, 12 services each offered at every branch, 25 staff per
branch performing 4 services each (20 × 12 × 25: 20 + 12 + 500 = 532 rows, which link 240
offerings and 2,000 performed services — the ≈ 800 records of the issue). In one run, per size,
into an empty company: our preview (parse, match, plan; writes nothing), our apply (plan again,
write all in one transaction, one audit event per record), the re-import preview (everything
"unchanged"); and the baseline into another empty company: each row read and written through the
ORM on its own, with a lookup per link and a commit per row, the way a first script would do it.
"""
import statistics
import time

from sqlalchemy import func, select

from portal.domain.onboarding_plan import plan_digest
from portal.extensions import db
from portal.models import Branch, Company, Service, Staff, User, utcnow
from portal.services.organisation.company import create_company
from portal.services.organisation.importer import apply_import, preview
from tests.benchmarks.common import bench_app, fresh_database, run_benchmark

SIZES = ((5, 12, 25), (20, 12, 25), (40, 12, 25))
REPEAT = 3
HEADER = "kind,external_id,name,city,price,duration_minutes,branches,email,home_branch,services,active"


def company_csv(branches: int, services: int, per_branch: int) -> bytes:
    lines = [HEADER]
    lines += [f"branch,B{b},Branch {b},City {b % 7},,,,,,,yes" for b in range(branches)]
    every_branch = "; ".join(f"B{b}" for b in range(branches))
    lines += [f"service,S{s},Service {s},,{20 + s}.50,{30 + 5 * s},{every_branch},,,,yes" for s in range(services)]
    for b in range(branches):
        for n in range(per_branch):
            performs = "; ".join(f"S{(n + k) % services}" for k in range(4))
            lines.append(f"staff,E{b}-{n},Person {b}-{n},,,,,p{b}-{n}@example.test,B{b},{performs},yes")
    return ("\n".join(lines) + "\n").encode()


def new_company(slug: str) -> tuple[int, int]:
    result = create_company({"name": slug, "slug": slug, "timezone": "Europe/Berlin", "default_region": "DE",
                             "default_language": "de"}, {"email": f"admin@{slug}.test", "name": "Admin"},
                            utcnow(), admin_password="benchmark-password")
    assert result.company is not None, result.errors
    assert result.admin is not None
    return result.company.id, result.admin.entity.id


def seconds(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def ours(company_id: int, admin_id: int, data: bytes) -> dict:
    preview_s, plan = seconds(lambda: preview(company_id, data, None))
    assert plan.ok, (plan.file_errors, [row.errors for row in plan.rows if row.errors][:3])
    admin = db.session.get(User, admin_id)
    apply_s, result = seconds(lambda: apply_import(admin, company_id, data, None, plan_digest(plan), utcnow()))
    assert result.applied, result.refusal
    again_s, again = seconds(lambda: preview(company_id, data, None))
    assert again.count("unchanged") == len(again.rows)
    db.session.remove()
    return {"rows": len(plan.rows), "preview": preview_s, "apply": apply_s, "again": again_s}


def baseline(company_id: int, data: bytes) -> float:
    """Row by row: look the record up, create or update it, look each link up, commit."""
    text = data.decode().splitlines()
    columns = text[0].split(",")
    started = time.perf_counter()
    for line in text[1:]:
        row = dict(zip(columns, line.split(","), strict=True))
        model = {"branch": Branch, "service": Service, "staff": Staff}[row["kind"]]
        record = db.session.scalar(select(model).where(model.company_id == company_id,
                                                       model.external_id == row["external_id"]))
        if record is None:
            record = model(company_id=company_id, external_id=row["external_id"])
            db.session.add(record)
        record.name = row["name"]
        if row["kind"] == "service":
            record.price, record.duration_minutes = row["price"], int(row["duration_minutes"])
            record.branches = [db.session.scalar(select(Branch).where(
                Branch.company_id == company_id, Branch.external_id == ref.strip())) for ref in row["branches"].split(";")]
        if row["kind"] == "staff":
            record.email = row["email"]
            record.branch = db.session.scalar(select(Branch).where(Branch.company_id == company_id,
                                                                   Branch.external_id == row["home_branch"]))
            record.services = [db.session.scalar(select(Service).where(
                Service.company_id == company_id, Service.external_id == ref.strip())) for ref in row["services"].split(";")]
        db.session.commit()
    elapsed = time.perf_counter() - started
    db.session.remove()
    return elapsed


def measure(engine: str, redis_url: str | None) -> list[dict]:
    app = bench_app(fresh_database(engine, "wt_org_bench"), redis_url)
    results = []
    with app.app_context():
        for number, size in enumerate(SIZES):
            data = company_csv(*size)
            # ours three times (each into a new empty company), the median of each measure
            runs = [ours(*new_company(f"ours-{number}-{attempt}"), data) for attempt in range(REPEAT)]
            row = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            base_company, _ = new_company(f"base-{number}")
            row["baseline"] = baseline(base_company, data)
            written = db.session.scalar(select(func.count(Staff.id)).join(Company).where(
                Company.slug == f"ours-{number}-0"))
            row.update(size=size, staff=written, engine=engine)
            results.append(row)
    return results


def report(results: list[dict]) -> None:
    print(f"engine: {results[0]['engine']}")
    print("| company (B × S × staff per branch) | rows | preview | apply (one transaction) | re-import preview "
          "| row-by-row, commit per row | apply vs baseline |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in results:
        b, s, p = row["size"]
        print(f"| {b} × {s} × {p} | {row['rows']:,} | {row['preview'] * 1000:,.0f} ms | {row['apply'] * 1000:,.0f} ms "
              f"| {row['again'] * 1000:,.0f} ms | {row['baseline'] * 1000:,.0f} ms "
              f"| {row['baseline'] / row['apply']:.1f}× faster |")


if __name__ == "__main__":
    run_benchmark(__doc__, measure, report)
