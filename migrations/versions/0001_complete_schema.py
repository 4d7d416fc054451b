"""The complete schema of DESIGN §2: hierarchy, users, audit and the seven original tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 09:03:34.432618

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('companies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('default_region', sa.String(length=2), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('config_generation', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_companies')),
    sa.UniqueConstraint('slug', name=op.f('uq_companies_slug'))
    )
    op.create_table('notification_event_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=50), nullable=False),
    sa.Column('event_label', sa.String(length=120), nullable=False),
    sa.Column('event_category', sa.String(length=20), nullable=False),
    sa.Column('default_channels', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('is_system_event', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_event_mappings')),
    sa.UniqueConstraint('event_type', name=op.f('uq_notification_event_mappings_event_type'))
    )
    op.create_table('branches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_branches_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_branches')),
    sa.UniqueConstraint('company_id', 'name', name='uq_branches_company_name')
    )
    with op.batch_alter_table('branches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_branches_company_id'), ['company_id'], unique=False)

    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_customers_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customers_phone'), ['phone'], unique=False)

    op.create_table('services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('price', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_services_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services')),
    sa.UniqueConstraint('company_id', 'name', name='uq_services_company_name')
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_services_company_id'), ['company_id'], unique=False)

    op.create_table('appointment_modification_stats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('stat_type', sa.String(length=20), nullable=False),
    sa.Column('period_start', sa.DateTime(), nullable=False),
    sa.Column('period_end', sa.DateTime(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('calculated_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_appointment_modification_stats_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_appointment_modification_stats_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_modification_stats')),
    sa.UniqueConstraint('company_id', 'customer_id', 'stat_type', 'period_start', name='uq_modification_stats_period')
    )
    with op.batch_alter_table('appointment_modification_stats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_modification_stats_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_modification_stats_customer_id'), ['customer_id'], unique=False)

    op.create_table('branch_services',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_branch_services_branch_id_branches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_branch_services_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('branch_id', 'service_id', name=op.f('pk_branch_services'))
    )
    with op.batch_alter_table('branch_services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_branch_services_service_id'), ['service_id'], unique=False)

    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_staff_branch_id_branches')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_staff_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_company_id'), ['company_id'], unique=False)

    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('price', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('recurring_series_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_appointments_branch_id_branches')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_appointments_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_appointments_customer_id_customers')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_appointments_service_id_services')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_appointments_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_branch_starts', ['branch_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_appointments_company_starts', ['company_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_recurring_series_id'), ['recurring_series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_staff_id'), ['staff_id'], unique=False)

    op.create_table('callback_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('phone_number', sa.String(length=20), nullable=False),
    sa.Column('customer_name', sa.String(length=200), nullable=False),
    sa.Column('customer_email', sa.String(length=255), nullable=True),
    sa.Column('preferred_time_window', sa.JSON(), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('assigned_to', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(), nullable=True),
    sa.Column('contacted_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('contact_attempts', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_to'], ['staff.id'], name=op.f('fk_callback_requests_assigned_to_staff')),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_callback_requests_branch_id_branches')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_callback_requests_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_callback_requests_customer_id_customers')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_callback_requests_service_id_services')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_callback_requests_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_requests'))
    )
    with op.batch_alter_table('callback_requests', schema=None) as batch_op:
        batch_op.create_index('ix_callback_requests_assignee', ['assigned_to', 'status'], unique=False)
        batch_op.create_index('ix_callback_requests_branch_queue', ['branch_id', 'status', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_callback_requests_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_callback_requests_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_callback_requests_phone', ['company_id', 'phone_number', 'status'], unique=False)
        batch_op.create_index('ix_callback_requests_queue', ['company_id', 'status', 'expires_at', 'id'], unique=False)

    op.create_table('staff_services',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_staff_services_service_id_services'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_services_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id', 'service_id', name=op.f('pk_staff_services'))
    )
    with op.batch_alter_table('staff_services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_services_service_id'), ['service_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_users_branch_id_branches')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_users_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_users_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('session_token', name=op.f('uq_users_session_token'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_company_id'), ['company_id'], unique=False)

    op.create_table('appointment_modifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('modification_type', sa.String(length=20), nullable=False),
    sa.Column('within_policy', sa.Boolean(), nullable=False),
    sa.Column('fee_charged', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('modified_by_type', sa.String(length=20), nullable=False),
    sa.Column('modified_by_id', sa.Integer(), nullable=True),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_appointment_modifications_appointment_id_appointments')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_appointment_modifications_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_appointment_modifications_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_modifications'))
    )
    with op.batch_alter_table('appointment_modifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_modifications_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index('ix_appointment_modifications_company_created', ['company_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_modifications_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_appointment_modifications_customer', ['company_id', 'customer_id', 'modification_type', 'created_at'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=255), nullable=False),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('entity_type', sa.String(length=50), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_audit_events_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_audit_events_entity', ['company_id', 'entity_type', 'entity_id', 'created_at'], unique=False)

    op.create_table('callback_escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('callback_request_id', sa.Integer(), nullable=False),
    sa.Column('escalation_reason', sa.String(length=30), nullable=False),
    sa.Column('escalated_from', sa.Integer(), nullable=True),
    sa.Column('escalated_to', sa.Integer(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolution_notes', sa.Text(), nullable=True),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['callback_request_id'], ['callback_requests.id'], name=op.f('fk_callback_escalations_callback_request_id_callback_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_callback_escalations_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['escalated_from'], ['staff.id'], name=op.f('fk_callback_escalations_escalated_from_staff')),
    sa.ForeignKeyConstraint(['escalated_to'], ['staff.id'], name=op.f('fk_callback_escalations_escalated_to_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_escalations'))
    )
    with op.batch_alter_table('callback_escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callback_escalations_callback_request_id'), ['callback_request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_callback_escalations_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_callback_escalations_open', ['company_id', 'resolved_at'], unique=False)

    op.create_table('notification_configurations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('configurable_type', sa.String(length=20), nullable=False),
    sa.Column('configurable_id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=50), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('fallback_channel', sa.String(length=10), nullable=True),
    sa.Column('is_enabled', sa.Boolean(), nullable=True),
    sa.Column('retry_count', sa.Integer(), nullable=True),
    sa.Column('retry_delay_minutes', sa.Integer(), nullable=True),
    sa.Column('template_override', sa.String(length=255), nullable=True),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_notification_configurations_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_notification_configurations_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_configurations')),
    sa.UniqueConstraint('company_id', 'configurable_type', 'configurable_id', 'event_type', 'channel', name='uq_notification_configurations_cell')
    )
    with op.batch_alter_table('notification_configurations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_configurations_company_id'), ['company_id'], unique=False)

    op.create_table('policy_configurations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('configurable_type', sa.String(length=20), nullable=False),
    sa.Column('configurable_id', sa.Integer(), nullable=False),
    sa.Column('policy_type', sa.String(length=30), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('is_override', sa.Boolean(), nullable=False),
    sa.Column('overrides_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('live', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("configurable_type IN ('company', 'branch', 'service', 'staff')", name=op.f('ck_policy_configurations_configurable_type_known')),
    sa.CheckConstraint('(deleted_at IS NULL AND live = 1) OR (deleted_at IS NOT NULL AND live IS NULL)', name=op.f('ck_policy_configurations_live_matches_deleted_at')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_policy_configurations_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['overrides_id'], ['policy_configurations.id'], name=op.f('fk_policy_configurations_overrides_id_policy_configurations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_policy_configurations_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_configurations')),
    sa.UniqueConstraint('company_id', 'configurable_type', 'configurable_id', 'policy_type', 'live', name='uq_policy_configurations_live_row')
    )
    with op.batch_alter_table('policy_configurations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_configurations_company_id'), ['company_id'], unique=False)



def downgrade():
    # Dropping a table drops its indexes; dropping them first fails on MySQL where a
    # foreign key still needs them.
    op.drop_table('policy_configurations')
    op.drop_table('notification_configurations')
    op.drop_table('callback_escalations')
    op.drop_table('audit_events')
    op.drop_table('appointment_modifications')
    op.drop_table('users')
    op.drop_table('staff_services')
    op.drop_table('callback_requests')
    op.drop_table('appointments')
    op.drop_table('staff')
    op.drop_table('branch_services')
    op.drop_table('appointment_modification_stats')
    op.drop_table('services')
    op.drop_table('customers')
    op.drop_table('branches')
    op.drop_table('notification_event_mappings')
    op.drop_table('companies')
