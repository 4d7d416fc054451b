"""The delivery commands as cron and systemd run them."""
from tests.delivery.support import change_appointment


def test_dispatch_and_plan_reminders_commands(app, world, bookings, eva, smtp):
    runner = app.test_cli_runner()
    bookings.appointment(eva, hours_ahead=240)
    result = runner.invoke(args=["notifications", "plan-reminders"])
    assert result.exit_code == 0
    assert f"Company {world.company.id}: planned 3 reminder(s)." in result.output
    appointment = bookings.appointment(eva, hours_ahead=72)
    from portal.models import utcnow

    with app.app_context():
        change_appointment(world.admin.id, appointment.id, "cancel", utcnow().replace(microsecond=0))
    result = runner.invoke(args=["notifications", "dispatch"])
    assert result.exit_code == 0
    assert "Made 2 delivery attempt(s)." in result.output  # the cancellation: email and (dev) SMS
    assert [m["Subject"] for m in smtp.to("eva@example.test")] == ["Ihr Termin wurde storniert"]


def test_the_queue_commands_need_redis(app, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", None)
    result = app.test_cli_runner().invoke(args=["notifications", "schedule", "--once"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in str(result.exception)
