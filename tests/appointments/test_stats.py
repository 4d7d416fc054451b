"""`flask stats refresh` and the report that reads it."""
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import AppointmentModificationStat
from portal.services.modifications.stats import refresh_stats
from tests.appointments.support import Bookings, now_seconds
from tests.html import parse


def stats(app):
    with app.app_context():
        return {(row.company_id, row.customer_id, row.stat_type):
                (row.count, row.period_start, row.period_end)
                for row in db.session.scalars(select(AppointmentModificationStat))}


def counts(app):
    return {key: value[0] for key, value in stats(app).items()}


def refresh(app, now, batch_size=2000):
    with app.app_context():
        return refresh_stats(now, batch_size)


def history(bookings, customer, now, days_ago, kind="cancel"):
    appointment = bookings.appointment(customer, hours_ahead=-24 * 200, status="cancelled")
    for days in days_ago:
        bookings.modification(appointment, kind, at=now - timedelta(days=days))


def test_refresh_counts_30_and_90_days_with_the_quota_window_edges(app, world, bookings):
    now, customer = now_seconds(), bookings.customer()
    history(bookings, customer, now, [0, 29.99, 30, 31, 89.99, 90, 91])
    history(bookings, customer, now, [1, 45], kind="reschedule")
    history(bookings, customer, now, [-1])  # after `now`: not counted yet
    refresh(app, now)
    company, ident = world.company.id, customer.id
    assert counts(app)[(company, ident, "cancel_30d")] == 2  # 0 and 29.99 days; 30 days has aged out
    assert counts(app)[(company, ident, "cancel_90d")] == 5
    assert counts(app)[(company, ident, "reschedule_30d")] == 1
    assert counts(app)[(company, ident, "reschedule_90d")] == 2
    _, start, end = stats(app)[(company, ident, "cancel_30d")]
    assert (start, end) == (now - timedelta(days=30), now)
    assert stats(app)[(company, ident, "cancel_90d")][1] == now - timedelta(days=90)


def test_every_customer_of_every_company_gets_all_four_rows(app, make, world, bookings):
    quiet = bookings.customer()
    other_world = make.world()
    other = Bookings(make, other_world)
    busy = other.customer()
    history(other, busy, now_seconds(), [2])
    summary = refresh(app, now_seconds())
    rows = counts(app)
    for company, customer in ((world.company.id, quiet.id), (other_world.company.id, busy.id)):
        assert {stat for (c, person, stat) in rows if (c, person) == (company, customer)} == {
            "cancel_30d", "reschedule_30d", "cancel_90d", "reschedule_90d"}
    assert rows[(world.company.id, quiet.id, "cancel_30d")] == 0
    assert rows[(other_world.company.id, busy.id, "cancel_30d")] == 1
    assert summary.companies == 2
    assert summary.rows == 4 * summary.customers


def test_refresh_is_idempotent_and_replaces_the_previous_snapshot(app, world, bookings):
    now, customer = now_seconds(), bookings.customer()
    history(bookings, customer, now, [1, 2])
    refresh(app, now)
    first = stats(app)
    refresh(app, now)
    assert stats(app) == first
    later = now + timedelta(days=29, hours=12)  # the day-1 and day-2 cancellations age out of 30d
    refresh(app, later)
    rows = stats(app)
    assert len(rows) == len(first)  # replaced, not piled up
    assert rows[(world.company.id, customer.id, "cancel_30d")] == (0, later - timedelta(days=30), later)
    assert rows[(world.company.id, customer.id, "cancel_90d")][0] == 2


def test_small_batches_give_the_same_result_as_one_batch(app, world, bookings):
    now = now_seconds()
    for n in range(7):
        history(bookings, bookings.customer(), now, range(n))
    refresh(app, now, batch_size=1000)
    one_batch = stats(app)
    with app.app_context():
        db.session.execute(AppointmentModificationStat.__table__.delete())
        db.session.commit()
    summary = refresh(app, now, batch_size=2)
    assert stats(app) == one_batch
    assert summary.customers == 7


def test_the_command_reports_what_it_did(app, world, bookings):
    history(bookings, bookings.customer(), now_seconds(), [1])
    result = app.test_cli_runner().invoke(args=["stats", "refresh", "--batch-size", "50"])
    assert result.exit_code == 0, result.output
    assert "Refreshed 4 statistics of 1 customers in 1 companies" in result.output
    bad = app.test_cli_runner().invoke(args=["stats", "refresh", "--batch-size", "0"])
    assert bad.exit_code != 0
    assert "batch-size" in bad.output


def test_report_ranks_customers_by_cancellations_with_the_trend(app, client, world, bookings):
    now = now_seconds()
    rising, falling, steady = (bookings.customer(name=name)
                               for name in ("Rita Rising", "Fred Falling", "Stan Steady"))
    history(bookings, rising, now, [1, 2, 3])  # 3 in 30 days, 3 in 90: above the monthly average
    history(bookings, falling, now, [40, 50, 60, 70, 80, 85, 5])  # 1 in 30, 7 in 90
    history(bookings, steady, now, [5, 40, 70])  # 1 in 30, 3 in 90
    client.login(world.admin.email)
    assert b"No statistics yet" in client.get("/appointments/stats").data
    refresh(app, now)
    page = parse(client.get("/appointments/stats").get_data(as_text=True))
    ranked = {row.find_all("td")[1].text: row for row in page.find_all("tr", data_customer=True)}
    assert list(ranked).index("Rita Rising") < list(ranked).index("Fred Falling")
    trends = {name: row.one(data_trend=True).spoken for name, row in ranked.items()}
    assert trends == {"Rita Rising": "rising", "Fred Falling": "falling", "Stan Steady": "steady"}
    assert all(arrow in page.text for arrow in ("↑ rising", "↓ falling", "→ steady"))  # words and arrows
    assert page.one(data_total="cancel_90d").text == "13"
    by_90 = parse(client.get("/appointments/stats?rank=cancel_90d").get_data(as_text=True))
    names = [row.find_all("td")[1].text for row in by_90.find_all("tr", data_customer=True)]
    assert names.index("Fred Falling") < names.index("Rita Rising")


def test_report_shows_a_manager_only_customers_of_their_branch(app, client, world, bookings):
    now = now_seconds()
    north, south = bookings.customer(name="Nora North"), bookings.customer(name="Sam South")
    history(bookings, north, now, [1])
    bookings.modification(bookings.appointment(south, branch=world.south, staff="cy", status="cancelled"),
                          at=now - timedelta(days=1))
    refresh(app, now)
    client.login(world.manager.email)
    page = parse(client.get("/appointments/stats").get_data(as_text=True))
    assert "Nora North" in page.text
    assert "Sam South" not in page.text
    assert page.one(data_total="cancel_30d").text == "1"


def test_two_refreshes_at_once_both_finish_and_leave_one_snapshot(app, mariadb, world, bookings):
    """Cron may start the refresh on several machines at once (README): batches are replaced in
    their own transactions, so the runs serialize on each batch instead of colliding."""
    import threading

    now = now_seconds()
    for n in range(30):
        history(bookings, bookings.customer(), now, range(n % 4))
    failures = []

    def run():
        with app.app_context():
            try:
                refresh_stats(now, batch_size=4)
            except Exception as problem:  # reported below; a thread cannot fail the test itself
                failures.append(problem)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    rows = counts(app)
    assert len(rows) == 30 * 4
    assert sum(rows.values()) == sum(n % 4 for n in range(30)) * 2  # each counted in 30d and 90d


def test_company_totals_from_the_day_and_month_buckets_equal_the_sum_of_the_rows(app, world, bookings):
    from portal.services.modifications.stats import stat_totals
    from portal.services.scope import Scope

    now = now_seconds()
    for n in range(6):
        history(bookings, bookings.customer(), now, [0.2, 29.99, 30, 30.01, 45.5, 89.99, 90, 91][n:])
        history(bookings, bookings.customer(), now, [n * 7 + 0.5], kind="reschedule")
    refresh(app, now)
    summed = {}
    for (_, _, stat_type), count in counts(app).items():
        summed[stat_type] = summed.get(stat_type, 0) + count
    with app.app_context():
        assert stat_totals(Scope.company(world.company.id)) == summed


def test_company_totals_are_the_refresh_s_snapshot_until_the_next_refresh(app, client, world, bookings):
    """The report's totals are kept by the refresh (four rows per company): a modification made
    since then shows in neither the customers' rows nor the totals until the next refresh."""
    now = now_seconds()
    history(bookings, bookings.customer(), now, [1, 40])
    refresh(app, now)
    history(bookings, bookings.customer(), now, [0.5])  # after the refresh counted
    client.login(world.admin.email)
    page = parse(client.get("/appointments/stats").get_data(as_text=True))
    assert (page.one(data_total="cancel_30d").text, page.one(data_total="cancel_90d").text) == ("1", "2")
    refresh(app, now + timedelta(minutes=1))
    page = parse(client.get("/appointments/stats").get_data(as_text=True))
    assert (page.one(data_total="cancel_30d").text, page.one(data_total="cancel_90d").text) == ("2", "3")


def test_each_company_keeps_its_own_totals(app, make, world, bookings):
    from portal.services.modifications.stats import stat_totals
    from portal.services.scope import Scope

    other_world = make.world()
    other = Bookings(make, other_world)
    now = now_seconds()
    history(bookings, bookings.customer(), now, [1, 2])
    history(other, other.customer(), now, [3], kind="reschedule")
    refresh(app, now)
    with app.app_context():
        assert stat_totals(Scope.company(world.company.id)) == {
            "cancel_30d": 2, "cancel_90d": 2, "reschedule_30d": 0, "reschedule_90d": 0}
        assert stat_totals(Scope.company(other_world.company.id)) == {
            "cancel_30d": 0, "cancel_90d": 0, "reschedule_30d": 1, "reschedule_90d": 1}
