"""Notifications: no schema change (no-op both ways), kept as the area's revision.

notification_configurations (revision 0001) already holds everything: its nullable setting
columns mean "not set here, inherit", and the explicit choices a lower level may need are plain
values — fallback_channel = 'none' drops an inherited fallback, template_override = '' goes back
to the standard template. `locked` is honoured on company-level rows only, and `version` is the
optimistic lock of the cell editor.

Revision ID: 0005
Revises: 0004
"""
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
