"""Integration API benchmarks (not part of the default run):

    python -m tests.benchmarks.api --engine mariadb [--redis redis://127.0.0.1:6379/12] [--seconds 10]

1. Batch sync: in-process time of POST /api/v1/sync/batch with 100, 250 and 500 new appointments
   (and the same batch sent again: all unchanged), against the target of 500 in under 1 s.
2. Under gunicorn (production config, 3 workers), wrk's throughput of the decision endpoint
   (POST …/decisions) as a ratio of /healthz's, measured in the same run one after the other
   (a shared machine's drift hits both), against the target ratio of 0.5.
Prints Markdown tables.
"""

import argparse
import atexit
import json
import os
import tempfile
import time

from portal.domain.api_scopes import SCOPES, format_scopes
from portal.extensions import db
from portal.models import ApiToken, Company, PolicyConfiguration
from portal.services.organisation.api_tokens import token_hash
from tests.benchmarks import serving
from tests.benchmarks.common import bench_app, drop_database, fresh_database, quiet_logs

TOKEN = "cbt_bench-api-token-for-the-benchmarks-only-0123"
SIZES = (100, 250, 500)
BATCH_TARGET_SECONDS, RATIO_TARGET = 1.0, 0.5
DECISION_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"action": "cancel"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer TOKEN"
"""


def seed(app) -> None:
    """A company with a token of every scope, policies on two levels, and the records to sync against."""
    with app.app_context():
        company = Company(name="Bench API", slug="bench-api")
        db.session.add(company)
        db.session.flush()
        db.session.add(
            ApiToken(
                company_id=company.id,
                name="Bench API",
                token_hash=token_hash(TOKEN),
                hint=TOKEN[:8],
                scopes=format_scopes(SCOPES),
            )
        )
        db.session.commit()
        company_id = company.id
    client = app.test_client()
    for path, body in (
        ("branches/b1", {"name": "Bench branch"}),
        ("services/s1", {"name": "Bench service", "price": "40.00", "branches": ["b1"]}),
        ("staff/st1", {"name": "Bench staff", "branch": "b1", "services": ["s1"]}),
        ("customers/c1", {"name": "Bench customer", "phone": "0151 23456789"}),
        (
            "appointments/decide",
            {
                "branch": "b1",
                "service": "s1",
                "staff": "st1",
                "customer": "c1",
                "starts_at": "2030-06-01T10:00:00+02:00",
                "ends_at": "2030-06-01T11:00:00+02:00",
                "price": "40.00",
            },
        ),
    ):
        assert send(client, "PUT", f"/api/v1/sync/{path}", body).status_code == 201
    with app.app_context():
        for level, ident, config in (
            ("company", company_id, {"hours_before": 24, "fee": "15.00"}),
            ("service", 1, {"fee_percentage": "50.00"}),
        ):
            db.session.add(
                PolicyConfiguration(
                    company_id=company_id,
                    configurable_type=level,
                    configurable_id=ident,
                    policy_type="cancellation",
                    config=config,
                )
            )
        db.session.commit()


def send(client, method, path, body):
    return client.open(
        path,
        method=method,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )


def batch(size: int, run: int) -> dict:
    return {
        "records": [
            {
                "type": "appointment",
                "external_id": f"bench-{run}-{n}",
                "data": {
                    "branch": "b1",
                    "service": "s1",
                    "staff": "st1",
                    "customer": "c1",
                    "starts_at": f"2030-07-{1 + n % 28:02d}T{8 + n % 10:02d}:00:00+02:00",
                    "ends_at": f"2030-07-{1 + n % 28:02d}T{8 + n % 10:02d}:45:00+02:00",
                    "price": "40.00",
                },
            }
            for n in range(size)
        ]
    }


def measure_batches(app) -> list[tuple[int, float, float]]:
    """(records, seconds to create them, seconds to send the same batch again) per size."""
    client, rows = app.test_client(), []
    for run, size in enumerate(SIZES):
        body = batch(size, run)
        started = time.perf_counter()
        response = send(client, "POST", "/api/v1/sync/batch", body)
        created = time.perf_counter() - started
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["applied"] == size
        started = time.perf_counter()
        assert send(client, "POST", "/api/v1/sync/batch", body).status_code == 200
        rows.append((size, created, time.perf_counter() - started))
    return rows


def measure_decisions(database_url: str, redis_url: str | None, seconds: int) -> tuple[float, float]:
    """(decision req/s, /healthz req/s) under gunicorn with 3 workers, in one run."""
    os.environ["API_RATE_LIMIT"] = "100000000 per minute"  # the limit is not what is measured
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(DECISION_SCRIPT.replace("TOKEN", TOKEN))
    atexit.register(os.unlink, handle.name)
    with serving.gunicorn(database_url, redis_url, 8431, 3) as base:
        url = base + "/api/v1/appointments/decide/decisions"
        serving.wrk(url, 2, script=handle.name)  # warm-up: connections, caches
        # Alternated, each twice: load that drifts on a shared machine hits both alike.
        decisions, health = [], []
        for _ in range(2):
            decisions.append(serving.wrk(url, seconds, script=handle.name))
            health.append(serving.wrk(base + "/healthz", seconds))
    return sum(decisions) / 2, sum(health) / 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=("sqlite", "mariadb"), default="mariadb")
    parser.add_argument("--redis", default=None)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    name = "t_api_bench"  # this helper's own database name (t_api…)
    url = fresh_database(args.engine, name)
    try:
        with quiet_logs():
            app = bench_app(url, args.redis)
            seed(app)
            rows = measure_batches(app)
        print(f"\n### Batch sync on {args.engine} (in-process, one request)\n")
        print("| records | create (s) | send again, unchanged (s) | target |\n| --- | --- | --- | --- |")
        for size, created, again in rows:
            verdict = "" if size != 500 else ("ok" if created < BATCH_TARGET_SECONDS else "MISSED")
            print(f"| {size} | {created:.3f} | {again:.3f} | {'< 1 s ' + verdict if size == 500 else ''} |")
        decisions, health = measure_decisions(url, args.redis, args.seconds)
        ratio = decisions / health
        print(f"\n### Decision endpoint under gunicorn (3 workers, wrk -t2 -c6, {args.seconds} s each)\n")
        print("| endpoint | req/s |\n| --- | --- |")
        print(f"| POST /api/v1/appointments/…/decisions | {decisions:.0f} |\n| GET /healthz | {health:.0f} |")
        print(f"\nratio {ratio:.2f} (target ≥ {RATIO_TARGET}: {'ok' if ratio >= RATIO_TARGET else 'MISSED'})")
    finally:
        drop_database(args.engine, name)


if __name__ == "__main__":
    main()
