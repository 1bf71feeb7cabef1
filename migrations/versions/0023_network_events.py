"""network teleconferences: scheduled at central, the telecenters chosen, their counts per event

Revision ID: 0023_network_events
Revises: 0022_period_close
Create Date: 2026-12-03 11:46:10

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0023_network_events"
down_revision = "0022_period_close"
branch_labels = None
depends_on = None

FACTS = ("fact_network_events", "fact_network_attendance")


def _fact_table(name, *columns):
    """No key of their own and no foreign keys, like the other facts (0019_lean_facts)."""
    op.create_table(
        name,
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("telecenter_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        *columns,
    )
    op.create_index(f"ix_{name}_event", name, ["event_id"])
    op.create_index(f"ix_{name}_month_telecenter", name, ["month", "telecenter_id"])


def _count(name):
    return sa.Column(name, sa.Integer(), nullable=False)


def upgrade():
    op.create_table(
        "network_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("commodity", sa.String(length=32), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("presenter", sa.String(length=160), nullable=False),
        sa.Column("organisation", sa.String(length=160), nullable=False),
        sa.Column("platform", sa.String(length=80), nullable=False),
        sa.Column("joining_details", sa.String(length=500), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=80), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("cancel_reason", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.String(length=1000), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(audience = 'region') = (region IS NOT NULL)",
            name=op.f("ck_network_events_region_when_by_region"),
        ),
        sa.CheckConstraint(
            "audience IN ('all', 'region', 'chosen')",
            name=op.f("ck_network_events_audience_known"),
        ),
        sa.CheckConstraint(
            "category IN ('digital_literacy', 'financial_literacy', 'agriculture', 'other')",
            name=op.f("ck_network_events_category_known"),
        ),
        sa.CheckConstraint(
            "commodity IS NULL OR (category = 'agriculture' AND "
            "commodity IN ('cacao', 'coffee', 'banana', 'timber', 'other_crop'))",
            name=op.f("ck_network_events_commodity_known"),
        ),
        sa.CheckConstraint(
            "purpose IN ('training', 'talk')", name=op.f("ck_network_events_purpose_known")
        ),
        sa.CheckConstraint(
            "state IN ('scheduled', 'cancelled')", name=op.f("ck_network_events_state_known")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_network_events_ends_after_start")),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_network_events_revision_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_network_events_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_events")),
    )
    op.create_index(op.f("ix_network_events_ends_at"), "network_events", ["ends_at"])
    op.create_index(op.f("ix_network_events_starts_at"), "network_events", ["starts_at"])
    op.create_table(
        "network_event_telecenters",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("telecenter_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["network_events.id"],
            name=op.f("fk_network_event_telecenters_event_id_network_events"),
        ),
        sa.ForeignKeyConstraint(
            ["telecenter_id"],
            ["telecenters.id"],
            name=op.f("fk_network_event_telecenters_telecenter_id_telecenters"),
        ),
        sa.PrimaryKeyConstraint(
            "event_id", "telecenter_id", name=op.f("pk_network_event_telecenters")
        ),
    )
    _fact_table("fact_network_events", _count("sessions_held"), _count("unregistered_viewers"))
    _fact_table(
        "fact_network_attendance",
        sa.Column("sex", sa.String(length=32), nullable=False),
        sa.Column("age_band", sa.String(length=32), nullable=False),
        _count("attendances"),
        _count("participants"),
    )


def downgrade():
    for name in FACTS:
        op.drop_index(f"ix_{name}_month_telecenter", table_name=name)
        op.drop_index(f"ix_{name}_event", table_name=name)
        op.drop_table(name)
    op.drop_table("network_event_telecenters")
    op.drop_index(op.f("ix_network_events_starts_at"), table_name="network_events")
    op.drop_index(op.f("ix_network_events_ends_at"), table_name="network_events")
    op.drop_table("network_events")
