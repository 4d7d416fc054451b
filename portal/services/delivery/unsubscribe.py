"""Unsubscribe links: a signed token naming the company, the customer and the channel; opening it
and confirming withdraws that channel's consent (no sign-in: the link is the proof)."""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from portal.extensions import db
from portal.models import Company, Customer
from portal.services.scope import Scope

SALT = "unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(company_id: int, customer_id: int, channel: str) -> str:
    return str(_serializer().dumps([company_id, customer_id, channel]))


def unsubscribe_url(company_id: int, customer_id: int, channel: str) -> str:
    base = current_app.config["PORTAL_URL"].rstrip("/")
    return f"{base}/unsubscribe/{unsubscribe_token(company_id, customer_id, channel)}"


def read_token(token: str) -> tuple[int, int, str] | None:
    """(company, customer, channel) of a genuine token, else None."""
    try:
        company_id, customer_id, channel = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not (isinstance(company_id, int) and isinstance(customer_id, int) and isinstance(channel, str)):
        return None
    return company_id, customer_id, channel


def find_customer(token: str) -> tuple[Customer, str, str] | None:
    """(customer, channel, company name) of a genuine token whose customer still exists."""
    found = read_token(token)
    if found is None:
        return None
    company_id, customer_id, channel = found
    customer = Scope.company(company_id).get(Customer, customer_id)
    company = db.session.get(Company, company_id)
    if customer is None or company is None:
        return None
    return customer, channel, company.name


def withdraw(customer: Customer, channel: str) -> None:
    """Record the refusal; the next message on that channel goes to the fallback."""
    customer.consents = {**(customer.consents or {}), channel: False}
    db.session.commit()
