"""The services catalog: name, price (EUR), duration, and the branches that offer each service."""
from portal.domain.organisation import clean_external_id, clean_name, parse_duration, parse_price
from portal.models import Branch, Service
from portal.services.organisation.records import RecordRules

SERVICE = RecordRules(Service, {
    "name": clean_name,
    "price": parse_price,
    "duration_minutes": parse_duration,
    "external_id": clean_external_id,
}, {"branch_ids": ("branches", Branch)})


create_service, update_service = SERVICE.create, SERVICE.update
