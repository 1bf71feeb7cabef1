"""participant registry, consent, audit log, financial inclusion

Revision ID: 0002_participants
Revises: 0001_accounts
Create Date: 2026-11-29 16:20:33.669844

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_participants'
down_revision = '0001_accounts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_subject_id'), ['subject_id'], unique=False)

    op.create_table('participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('given_names', sa.String(length=80), nullable=True),
    sa.Column('surnames', sa.String(length=80), nullable=True),
    sa.Column('document_type', sa.String(length=8), nullable=False),
    sa.Column('document_number', sa.String(length=12), nullable=True),
    sa.Column('sex', sa.String(length=12), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('district_ubigeo', sa.String(length=6), nullable=True),
    sa.Column('community', sa.String(length=120), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('mother_tongue', sa.String(length=24), nullable=True),
    sa.Column('schooling', sa.String(length=24), nullable=True),
    sa.Column('occupation', sa.String(length=24), nullable=True),
    sa.Column('association_member', sa.Boolean(), nullable=True),
    sa.Column('head_of_household', sa.Boolean(), nullable=True),
    sa.Column('search_text', sa.String(length=400), nullable=True),
    sa.Column('is_complete', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('erased_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("document_type IN ('dni', 'ce', 'none')", name=op.f('ck_participants_document_known')),
    sa.CheckConstraint("sex IN ('female', 'male', 'unspecified')", name=op.f('ck_participants_sex_known')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_participants_registered_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_participants_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participants')),
    sa.UniqueConstraint('code', name=op.f('uq_participants_code')),
    sa.UniqueConstraint('document_type', 'document_number', name=op.f('uq_participants_document_type_document_number')),
    sa.UniqueConstraint('user_id', name=op.f('uq_participants_user_id'))
    )
    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('text_version', sa.String(length=16), nullable=False),
    sa.Column('purpose', sa.String(length=300), nullable=False),
    sa.Column('given_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('guardian_name', sa.String(length=160), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('registration', 'financial_inclusion')", name=op.f('ck_consents_kind_known')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_consents_participant_id_participants')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consents_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_participant_id'), ['participant_id'], unique=False)

    op.create_table('fi_surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('phone_access', sa.String(length=12), nullable=False),
    sa.Column('account_institutions', sa.JSON(), nullable=False),
    sa.Column('wallets_used', sa.JSON(), nullable=False),
    sa.Column('digital_payment', sa.Boolean(), nullable=False),
    sa.Column('saved', sa.Boolean(), nullable=False),
    sa.Column('saving_methods', sa.JSON(), nullable=False),
    sa.Column('savings_group_member', sa.Boolean(), nullable=False),
    sa.Column('borrowed', sa.Boolean(), nullable=False),
    sa.Column('borrowing_sources', sa.JSON(), nullable=False),
    sa.Column('no_account_reasons', sa.JSON(), nullable=False),
    sa.Column('emergency_funds', sa.String(length=20), nullable=False),
    sa.Column('has_own_income', sa.Boolean(), nullable=False),
    sa.Column('income_decision', sa.String(length=16), nullable=True),
    sa.Column('financial_goal', sa.String(length=200), nullable=True),
    sa.CheckConstraint("kind IN ('baseline', 'follow_up')", name=op.f('ck_fi_surveys_kind_known')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_fi_surveys_participant_id_participants')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_fi_surveys_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fi_surveys')),
    sa.UniqueConstraint('participant_id', 'taken_on', name=op.f('uq_fi_surveys_participant_id_taken_on'))
    )
    with op.batch_alter_table('fi_surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fi_surveys_participant_id'), ['participant_id'], unique=False)

    op.create_table('wfi_enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('enrolled_on', sa.Date(), nullable=False),
    sa.Column('telecenter_code', sa.String(length=32), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_wfi_enrolments_participant_id_participants')),
    sa.ForeignKeyConstraint(['trainer_id'], ['users.id'], name=op.f('fk_wfi_enrolments_trainer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wfi_enrolments')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_wfi_enrolments_participant_id'))
    )


def downgrade():
    op.drop_table('wfi_enrolments')
    with op.batch_alter_table('fi_surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fi_surveys_participant_id'))

    op.drop_table('fi_surveys')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_participant_id'))

    op.drop_table('consents')
    op.drop_table('participants')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_subject_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_at'))

    op.drop_table('audit_entries')
