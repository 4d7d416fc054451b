"""The plans MariaDB chooses for the pages that must not grow with history (EXPLAIN).

A chain with history (tests/benchmarks/data.py, 20,000 rows per history table) is built, each
page is requested, and every SELECT it sent is EXPLAINed: no full scan and no sort of a history
table, and the statements that carry the page are served by the index written down here. On
SQLite this skips; CI's MariaDB stage runs it.
"""
import pytest
from sqlalchemy import event, text

from portal.extensions import cache, db
from portal.models import utcnow
from portal.services.modifications.stats import refresh_stats
from tests.benchmarks import data

HISTORY = {"callback_requests", "appointments", "appointment_modifications", "callback_escalations",
           "appointment_modification_stats", "deliveries"}
EXPECTED = {  # page -> (table, index) pairs its plan must use
    "/": {("callback_requests", "ix_callback_requests_queue_order"),
          ("callback_requests", "ix_callback_requests_completed"),
          ("appointments", "ix_appointments_company_status_starts"),
          ("deliveries", "ix_deliveries_company_status_updated")},
    "/callbacks/": {("callback_requests", "ix_callback_requests_queue_order"),
                    ("callback_closed_totals", "PRIMARY"),
                    # a row's open escalations, from the index alone (one entry per open reason)
                    ("callback_escalations", "uq_callback_escalations_one_open_per_reason")},
    "/callbacks/?tab=completed": {("callback_requests", "ix_callback_requests_queue_order"),
                                  ("callback_closed_totals", "PRIMARY")},
    "/callbacks/?tab=all": {("callback_requests", "ix_callback_requests_queue_order"),
                            ("callback_closed_totals", "PRIMARY")},
    "/callbacks/?tab=completed&priority=high": {("callback_requests", "ix_callback_requests_queue_order"),
                                                ("callback_closed_counts", "PRIMARY")},
    "/appointments/": {("appointments", "ix_appointments_company_starts")},
    "/appointments/modifications": {("appointment_modifications", "ix_appointment_modifications_company_created"),
                                    ("modification_totals", "PRIMARY")},
    "/appointments/stats": {("appointment_modification_stats", "ix_appointment_modification_stats_report"),
                            ("appointment_modification_stats", "uq_modification_stats_period"),
                            ("appointment_modification_stat_totals", "PRIMARY")},
    "/appointments/stats?rank=cancel_90d": {
        ("appointment_modification_stats", "ix_appointment_modification_stats_report"),
        ("appointment_modification_stat_totals", "PRIMARY")},
    "/appointments/modifications?type=cancel&date_from=2020-01-01": {
        ("appointment_modifications", "ix_appointment_modifications_company_created"),
        ("modification_totals", "PRIMARY")},
}
# Tables a page must not read: the counts split by priority and assignee (a row per person who
# ever closed a callback) serve only the views filtered by them.
AVOIDED = {url: {"callback_closed_counts"} for url in ("/callbacks/", "/callbacks/?tab=completed", "/callbacks/?tab=all")}
# The stats report's totals are kept by the refresh: no per-day or per-branch bucket is added up.
AVOIDED |= {url: {"modification_totals", "appointment_modifications"}
            for url in ("/appointments/stats", "/appointments/stats?rank=cancel_90d")}
# Tables a page counts from the index alone, never reading their rows: the dashboard's
# appointments of today that are not cancelled.
COVERED = {"/": {"appointments"}}
# What one statement of the report may read: the top 20 customers, their names and four rows each.
STATS_ROWS_READ = 6 * 20


@pytest.fixture
def chain(app, mariadb):
    with app.app_context():
        data.numbers(10 ** 5)
        company = data.build(data.Size("plans", 20_000, 3), utcnow().replace(microsecond=0))
        refresh_stats(utcnow())
        _delivery_history(company.id, 20_000)
        db.session.execute(text("ANALYZE TABLE callback_requests, appointments, appointment_modifications, "
                                "customers, modification_totals, callback_closed_counts, callback_closed_totals, "
                                "deliveries"))
        db.session.commit()
    yield company
    with app.app_context():
        for table in ("bench_numbers", "bench_digits", "bench_branch", "bench_staff"):
            db.session.execute(text(f"DROP TABLE IF EXISTS {table}"))
        db.session.commit()


def _delivery_history(company_id: int, rows: int) -> None:
    """`rows` deliveries, one every three minutes back from now (20,000: six weeks), one in ten failed."""
    db.session.execute(text("""INSERT INTO deliveries (company_id, event_type, status, fire_at, node_path,
        recipient_name, language, `values`, plan, created_at, updated_at)
        SELECT :company, 'booking_confirmed', IF(n % 10 = 0, 'failed', 'delivered'), moment,
               CONCAT('company:', :company), 'Bench customer', 'de', '{}', '{}', moment, moment
        FROM (SELECT n, NOW() - INTERVAL (n * 3) MINUTE AS moment FROM bench_numbers WHERE n < :rows) AS history"""),
        {"company": company_id, "rows": rows})


def selects_of(app, client, url):
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent


def plans(app, statements):
    """(table, access type, key, extra) of every table of every statement's EXPLAIN."""
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            rows = []
            for statement, parameters in statements:
                cursor.execute("EXPLAIN " + statement, parameters)
                rows += [(row[2], row[3], row[5], row[9] or "") for row in cursor.fetchall()]
            return rows
        finally:
            connection.close()


def test_history_pages_read_from_their_indexes_and_never_scan_or_sort_history(app, chain):
    client = app.test_client()
    assert client.post("/login", data={"email": chain.admin_email, "password": data.PASSWORD,
                                       "csrf_token": _csrf(client)}).status_code == 302
    problems = []
    for url, expected in EXPECTED.items():
        with app.app_context():  # each page as it reads with nothing kept (the queue keeps its counts)
            cache.clear()
        used = plans(app, selects_of(app, client, url))
        scans = [row for row in used if row[0] in HISTORY and (row[1] == "ALL" or "filesort" in row[3])]
        missing = expected - {(table, key) for table, _, key, _ in used}
        avoided = AVOIDED.get(url, set()) & {table for table, *_ in used}
        rows_read_too = sorted({table for table, _, _, extra in used if table in COVERED.get(url, set())
                                and ("Using index" not in extra or "Using index condition" in extra)})
        if scans or missing or avoided or rows_read_too:
            problems.append(f"{url}: full scans or sorts {scans}, indexes not used {sorted(missing)}, "
                            f"tables it should not read {sorted(avoided)}, "
                            f"tables whose rows it reads beyond the index {rows_read_too}")
    assert problems == []


def handler_reads(cursor) -> int:
    cursor.execute("SHOW SESSION STATUS LIKE 'Handler_read%'")
    return sum(int(value) for _, value in cursor.fetchall())


def rows_read(app, statements) -> list[int]:
    """Rows each statement read, from every table and index (the server's Handler_read_*
    counters around running it: a sort or a scan counts every row it touched, a LIMIT that
    stops early only what it read)."""
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            overhead = -handler_reads(cursor) + handler_reads(cursor)  # what SHOW STATUS itself reads
            read = []
            for statement, parameters in statements:
                before = handler_reads(cursor)
                cursor.execute(statement, parameters)
                cursor.fetchall()
                read.append(handler_reads(cursor) - before - overhead)
            return read
        finally:
            connection.close()


def test_stats_report_reads_the_top_customers_not_every_customer(app, chain):
    """The top list walks the report index backwards and stops at the limit, however many
    customers the company has: a scan of its stats rows (thousands here) fails."""
    client = app.test_client()
    assert client.post("/login", data={"email": chain.admin_email, "password": data.PASSWORD,
                                       "csrf_token": _csrf(client)}).status_code == 302
    with app.app_context():
        company_rows = db.session.scalar(text("SELECT COUNT(*) FROM appointment_modification_stats "
                                              "WHERE company_id = :c"), {"c": chain.id})
    assert company_rows > 10 * STATS_ROWS_READ  # enough rows that a scan would show
    for url in ("/appointments/stats", "/appointments/stats?rank=cancel_90d"):
        read = rows_read(app, selects_of(app, client, url))
        assert read, url
        assert max(read) <= STATS_ROWS_READ, (url, read)


def _csrf(client):
    import re
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
