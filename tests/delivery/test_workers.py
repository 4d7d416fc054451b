"""Each attempt is made once, however many workers run: claims happen in the database."""
import threading
from collections import Counter

import pytest
from redis import Redis
from rq import SimpleWorker
from rq.timeouts import TimerDeathPenalty
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Appointment, DeliveryAttempt
from portal.services.delivery import jobs
from portal.services.delivery.dispatch import deliver_attempt, dispatch_due
from portal.services.delivery.outbox import Outbox
from tests.delivery.support import set_cell

COUNT = 30


def many_cancellations(app, world, bookings, t0, count=COUNT) -> None:
    """`count` cancellation notices by email only, all due at t0."""
    set_cell(app, world.company.id, "cancellation", "sms", is_enabled=False)
    customers = [bookings.customer(email=f"c{n}@example.test", consents={"email": True}) for n in range(count)]
    appointments = [bookings.appointment(customer, hours_ahead=72) for customer in customers]
    with app.app_context():
        outbox = Outbox(world.company.id)
        for appointment in appointments:
            outbox.emit("cancellation", appointment=db.session.get(Appointment, appointment.id), now=t0)
        db.session.commit()


def each_sent_once(app, smtp, count=COUNT) -> None:
    recipients = Counter(message["To"] for message in smtp.messages)
    assert len(recipients) == count
    assert set(recipients.values()) == {1}
    with app.app_context():
        statuses = dict(db.session.execute(select(DeliveryAttempt.status, func.count())
                                           .group_by(DeliveryAttempt.status)).all())
    assert statuses == {"sent": count}


def run_together(app, step, workers=2):
    """Run `step` in `workers` threads, each with its own app context (own database session)."""
    errors, start = [], threading.Barrier(workers)

    def worker():
        try:
            with app.app_context():
                start.wait()
                step()
        except Exception as problem:  # pragma: no cover - reported below
            errors.append(problem)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors


def test_two_dispatchers_make_each_attempt_once(app, world, bookings, smtp, t0):
    many_cancellations(app, world, bookings, t0)
    run_together(app, lambda: dispatch_due(t0, limit=5))
    each_sent_once(app, smtp)


def test_a_job_handed_out_twice_sends_once(app, world, bookings, smtp, t0):
    many_cancellations(app, world, bookings, t0, count=3)
    with app.app_context():
        ids = list(db.session.scalars(select(DeliveryAttempt.id)))
        assert [deliver_attempt(i, t0) for i in ids] == [True] * 3
        assert [deliver_attempt(i, t0) for i in ids] == [False] * 3
    each_sent_once(app, smtp, 3)


class ThreadWorker(SimpleWorker):
    """An RQ worker that can run in a thread (signals belong to the main thread: job time limits
    by a timer instead of SIGALRM, no SIGTERM handler)."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self):
        pass


def test_two_rq_workers_on_redis_deliver_each_attempt_once(app, world, bookings, smtp, t0, redis_url,
                                                            monkeypatch):
    """The production path: the scheduler queues due attempts (and a second scheduler on another
    machine queues them again), two workers take jobs from Redis, the database decides who sends."""
    monkeypatch.setitem(app.config, "DELIVERY_QUEUE", f"test-notifications-{id(app)}-{t0:%H%M%S%f}")
    redis = Redis.from_url(redis_url)
    many_cancellations(app, world, bookings, t0)
    with app.app_context():
        queue = jobs.queue(redis)
        queue.empty()
        assert jobs.enqueue_due(t0, redis=redis) == COUNT
        assert jobs.enqueue_due(t0, redis=redis) == 0  # already on the queue
        for attempt_id in db.session.scalars(select(DeliveryAttempt.id)):  # a second machine's duplicates
            queue.enqueue(jobs.deliver_job, attempt_id, t0)

    def work():
        ThreadWorker([jobs.queue(redis)], connection=redis).work(burst=True, with_scheduler=False)

    try:
        run_together(app, work)
        each_sent_once(app, smtp)
    finally:
        with app.app_context():
            jobs.queue(redis).empty()
            for key in redis.scan_iter(f"{app.config['DELIVERY_QUEUE']}:enqueued:*"):
                redis.delete(key)


@pytest.fixture
def t0():
    from tests.appointments.support import now_seconds

    return now_seconds()
