"""Delivery log pages: thin views over services/delivery (read, outbox.resend, templates)."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.deliveries import bp
from portal.deliveries.labels import status_label
from portal.domain.notification_plan import sample_appointment_start, sample_variables
from portal.domain.notifications import CHANNEL_LABELS, CHANNELS, TEMPLATE_NAME
from portal.domain.organisation import LANGUAGE_LABELS, LANGUAGES
from portal.extensions import db
from portal.models import DELIVERY_STATUSES, Delivery, utcnow
from portal.services.delivery.outbox import resend as resend_delivery
from portal.services.delivery.read import LogFilters, log_query
from portal.services.delivery.templates import TemplateProblem, render
from portal.services.delivery.unsubscribe import find_customer, withdraw
from portal.services.delivery.values import local_when
from portal.services.notifications.read import load_events
from portal.web.inputs import arg_choice, arg_date, arg_id, arg_text
from portal.web.pagination import page_args, paginate_entities
from portal.web.scope import current_scope, get_or_404
from portal.web.security import roles_required
from portal.web.templating import company_tz

FILTERS = ("event", "channel", "status", "customer", "customer_id", "from", "to")
LOG_ROLES = ("admin", "branch_manager")


def optional_choice(name: str, choices, label: str) -> str | None:
    """One of `choices`, or None when the filter is not used."""
    if not request.args.get(name, "").strip():
        return None
    return arg_choice(name, choices, label=label)


def read_filters(events) -> LogFilters:
    return LogFilters(
        event=optional_choice("event", [e.event_type for e in events], _("Event")),
        channel=optional_choice("channel", CHANNELS, _("Channel")),
        status=optional_choice("status", DELIVERY_STATUSES, _("Status")),
        customer=arg_text("customer", 100, label=_("Customer")),
        customer_id=arg_id("customer_id", label=_("Customer")),
        day_from=arg_date("from", label=_("From")), day_to=arg_date("to", label=_("To")))


@bp.get("/deliveries")
@roles_required(*LOG_ROLES)
def index():
    events = load_events()
    filters = read_filters(events)
    page = paginate_entities(log_query(current_scope(), filters, company_tz()))
    return render_template("deliveries/index.html", page=page, filters=filters, raw=request.args,
                           args=page_args(FILTERS), events=events, labels=event_labels(events),
                           channels=CHANNEL_LABELS,
                           statuses=[(status, status_label(status)) for status in DELIVERY_STATUSES])


def event_labels(events) -> dict[str, str]:
    return {event.event_type: event.label for event in events}


@bp.get("/deliveries/<int:delivery_id>")
@roles_required(*LOG_ROLES)
def detail(delivery_id):
    delivery = get_or_404(Delivery, delivery_id)
    return render_template("deliveries/detail.html", d=delivery, labels=event_labels(load_events()),
                           channels=CHANNEL_LABELS)


@bp.post("/deliveries/<int:delivery_id>/resend")
@roles_required(*LOG_ROLES)
def resend(delivery_id):
    delivery = get_or_404(Delivery, delivery_id)
    again = resend_delivery(delivery, utcnow())
    if again is None:
        flash(_("Nothing was sent: no channel is switched on for this event at its node any more."), "error")
        return redirect(url_for(".detail", delivery_id=delivery.id))
    db.session.commit()
    flash(_("Sent again: the new delivery goes out with the next dispatch."), "success")
    return redirect(url_for(".detail", delivery_id=again.id))


@bp.get("/deliveries/templates")
@roles_required("admin")
def preview():
    """A template rendered with sample data, as the customer would read it."""
    events = load_events()
    event_type = arg_choice("event", [e.event_type for e in events], events[0].event_type, label=_("Event"))
    language = arg_choice("language", LANGUAGES, current_user.company.default_language or "de",
                          label=_("Language"))
    override = arg_text("template", 255, label=_("Template"))
    if override and not TEMPLATE_NAME.fullmatch(override):
        abort(400, _("Template: use lower-case letters, digits and _ . / - only."))
    event = next(e for e in events if e.event_type == event_type)
    values = sample_variables(event, sample_appointment_start(utcnow()), language=language,
                              when=lambda moment: local_when(moment, language))
    message, problem = None, None
    try:
        message = render(current_app.instance_path, event_type, override, language, values,
                         "https://portal.example/unsubscribe/sample")
    except TemplateProblem as error:
        problem = str(error)
    return render_template("deliveries/preview.html", events=events, event=event, language=language,
                           override=override, message=message, problem=problem, values=values,
                           event_options=[(e.event_type, e.label) for e in events],
                           language_options=list(LANGUAGE_LABELS.items()))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    """No sign-in: the signed link itself names the customer and the channel."""
    found = find_customer(token)
    if found is None:
        abort(404)
    customer, channel, company_name = found
    done = request.method == "POST"
    if done:
        withdraw(customer, channel)
    return render_template("deliveries/unsubscribe.html", channel=CHANNEL_LABELS.get(channel, channel),
                           done=done, company=company_name)

