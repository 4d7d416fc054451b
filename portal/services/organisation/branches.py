"""Branches: name, city, an own time zone when not the company's, which services they offer."""
from portal.domain.messages import M_
from portal.domain.organisation import CITY_MAX, check_timezone, clean_external_id, clean_name, clean_text
from portal.models import Branch, Service
from portal.services.organisation.records import RecordRules

BRANCH = RecordRules(Branch, {
    "name": clean_name,
    "city": lambda value: clean_text(value, M_("The city"), CITY_MAX, required=False),
    "timezone": lambda value: check_timezone(value, required=False),
    "external_id": clean_external_id,
}, {"service_ids": ("services", Service)})


create_branch, update_branch = BRANCH.create, BRANCH.update
