"""site network events: a session can be central's network teleconference (issue 21), with
central's id, revision, state and notes, the notice of a change, and the trainers' own notes

The network settings a site already stored lose their version, so that the next sync asks
central for everything again: an older site stored settings without reading their events.

Revision ID: 0024_site_network_events
Revises: 0023_network_events
Create Date: 2026-12-03 11:45:46

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0024_site_network_events"
down_revision = "0023_network_events"
branch_labels = None
depends_on = None

_NETWORK_EVENT_KNOWN = (
    "(network_event IS NULL AND network_state IS NULL AND network_revision IS NULL)"
    " OR (network_event IS NOT NULL AND kind = 'teleconference' AND network_revision >= 1"
    " AND network_state IN ('scheduled', 'cancelled', 'withdrawn'))"
)


def upgrade():
    with op.batch_alter_table("activity_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("local_notes", sa.String(length=1000), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("network_event", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("network_revision", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("network_state", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("network_notes", sa.String(length=1000), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("network_notice", sa.JSON(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_activity_sessions_network_event"), ["network_event"]
        )
        batch_op.create_check_constraint("network_event_known", _NETWORK_EVENT_KNOWN)
    op.execute("UPDATE sync_network_settings SET version = ''")


def downgrade():
    with op.batch_alter_table("activity_sessions", schema=None) as batch_op:
        batch_op.drop_constraint("network_event_known", type_="check")
        batch_op.drop_constraint(batch_op.f("uq_activity_sessions_network_event"), type_="unique")
        batch_op.drop_column("network_notice")
        batch_op.drop_column("network_notes")
        batch_op.drop_column("network_state")
        batch_op.drop_column("network_revision")
        batch_op.drop_column("network_event")
        batch_op.drop_column("local_notes")
