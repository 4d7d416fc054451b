"""The JSON API for machines (/api/v1): the voice agent, the website, the booking system.

Authenticated by per-company API tokens (`Authorization: Bearer …`) with scopes, never by the
session cookie — which is why this one blueprint may be exempt from CSRF. The resources live in
the modules beside this one; portal.api.framework holds the plumbing.
"""

from portal.api.framework import bp, register
from portal.extensions import csrf

csrf.exempt(bp)

__all__ = ["bp", "register"]
