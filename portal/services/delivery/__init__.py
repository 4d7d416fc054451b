"""Notification delivery: the outbox, reminder planning, dispatching attempts, channels, templates."""
