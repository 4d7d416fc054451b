"""Where messages go: email over SMTP, a signed-webhook provider, and the development provider.

Every channel answers with an Answer: ok, temporary (retry later) or permanent (do not retry; the
fallback is used). No vendor is built in: any SMS, WhatsApp or push gateway that accepts the signed
JSON POST below (directly or through a small adapter) is connected by configuration alone.
"""
import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from portal.domain.delivery import OK, PERMANENT, TEMPORARY
from portal.services.delivery.templates import Message

log = logging.getLogger("portal.delivery")
SIGNATURE_HEADER = "X-Portal-Signature"
ANSWER_MAX = 1000


@dataclass(frozen=True)
class Answer:
    outcome: str  # ok | temporary | permanent
    message: str
    provider_id: str | None = None


@dataclass(frozen=True)
class Envelope:
    """Who a message is for and what it is about (what a provider needs besides the text)."""

    delivery_id: int
    attempt_id: int
    company_id: int
    event_type: str
    channel: str
    language: str
    name: str
    email: str | None
    phone: str | None
    customer_id: int | None
    sender: str
    unsubscribe_url: str | None = None


def dev_send(envelope: Envelope, message: Message) -> Answer:
    """The development provider: the message goes to the log and to the delivery log only."""
    log.info("[dev %s] to %s (%s): %s — %s", envelope.channel, envelope.name,
             envelope.email if envelope.channel == "email" else envelope.phone or envelope.customer_id,
             message.subject, message.short if envelope.channel != "email" else message.text)
    return Answer(OK, "development provider: written to the log only")


def email_message(envelope: Envelope, message: Message) -> EmailMessage:
    """A text + HTML email from the company's sender, with List-Unsubscribe when it may be declined."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = envelope.sender
    mail["To"] = envelope.email or ""
    mail["Message-ID"] = make_msgid(domain="portal.invalid")
    mail["Content-Language"] = envelope.language
    if envelope.unsubscribe_url:
        mail["List-Unsubscribe"] = f"<{envelope.unsubscribe_url}>"
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail


def smtp_send(smtp_url: str, envelope: Envelope, message: Message, timeout: float = 10) -> Answer:
    """Send over SMTP_URL: smtp://[user:password@]host[:port][?starttls=1] or smtps://… (TLS)."""
    parts = urlsplit(smtp_url)
    options = parse_qs(parts.query)
    host, port = parts.hostname or "localhost", parts.port or (465 if parts.scheme == "smtps" else 25)
    try:
        client: smtplib.SMTP
        if parts.scheme == "smtps":
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if options.get("starttls", ["0"])[0] in ("1", "true", "yes"):
                client.starttls(context=ssl.create_default_context())
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            mail = email_message(envelope, message)
            client.send_message(mail)
        return Answer(OK, f"accepted by {host}:{port}", str(mail["Message-ID"]))
    except smtplib.SMTPRecipientsRefused as refused:
        return Answer(PERMANENT, f"recipient refused: {_short(refused.recipients)}")
    except smtplib.SMTPResponseException as problem:
        outcome = PERMANENT if problem.smtp_code >= 500 else TEMPORARY
        return Answer(outcome, f"SMTP {problem.smtp_code}: {_short(problem.smtp_error)}")
    except (OSError, smtplib.SMTPException) as problem:
        return Answer(TEMPORARY, f"SMTP server {host}:{port} not reachable: {_short(problem)}")


def signature(secret: str, body: bytes) -> str:
    """The value of X-Portal-Signature: "sha256=" and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(envelope: Envelope, message: Message) -> bytes:
    return json.dumps({
        "delivery_id": envelope.delivery_id, "attempt_id": envelope.attempt_id,
        "company_id": envelope.company_id,
        "event": envelope.event_type, "channel": envelope.channel, "language": envelope.language,
        "to": {"name": envelope.name, "phone": envelope.phone, "email": envelope.email,
               "customer_id": envelope.customer_id},
        "subject": message.subject, "text": message.short,
    }, ensure_ascii=False, sort_keys=True).encode()


def webhook_send(url: str, secret: str, envelope: Envelope, message: Message, timeout: float = 10) -> Answer:
    """POST the signed JSON message and read the provider's answer (see README, "Providers")."""
    body = webhook_body(envelope, message)
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "appointment-policy-portal",
        SIGNATURE_HEADER: signature(secret, body), "Idempotency-Key": f"attempt-{envelope.attempt_id}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return read_answer(response.status, response.read(64 * 1024))
    except urllib.error.HTTPError as problem:
        return read_answer(problem.code, problem.read(64 * 1024) if problem.fp else b"")
    except (TimeoutError, urllib.error.URLError, OSError) as problem:
        return Answer(TEMPORARY, f"provider not reachable: {_short(getattr(problem, 'reason', problem))}")


def read_answer(status: int, body: bytes) -> Answer:
    """2xx is ok unless the JSON says {"status": "temporary" | "permanent"}; 408, 429 and 5xx are
    temporary; any other status is permanent."""
    try:
        data = json.loads(body.decode() or "{}")
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    said = str(data.get("status", "")).lower()
    text = _short(data.get("message") or data.get("error") or f"HTTP {status}")
    provider_id = str(data["id"])[:120] if data.get("id") is not None else None
    if 200 <= status < 300:
        outcome = said if said in (OK, TEMPORARY, PERMANENT) else OK
    elif status in (408, 429) or status >= 500:
        outcome = TEMPORARY
    else:
        outcome = PERMANENT
    return Answer(outcome, f"HTTP {status}: {text}" if not text.startswith("HTTP") else text, provider_id)


def _short(value) -> str:
    return str(value)[:ANSWER_MAX]
