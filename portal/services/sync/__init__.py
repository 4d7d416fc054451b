"""Sync: the booking system pushes its branches, services, staff, customers and appointments,
each upserted by its external id (DESIGN §9, §10)."""
