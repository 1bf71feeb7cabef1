"""site course downloads: central's course catalogue as a site received it, each pack's
download (bytes done, tries, last error, state) and the admin's download settings (bandwidth
limit, time window, automatic installation)

Revision ID: 0026_site_course_downloads
Revises: 0025_reach_periods_as_columns
Create Date: 2026-12-03 15:32:55

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0026_site_course_downloads"
down_revision = "0025_reach_periods_as_columns"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "course_download_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("limit_kbps", sa.Integer(), nullable=False),
        sa.Column("window_from", sa.Integer(), nullable=False),
        sa.Column("window_to", sa.Integer(), nullable=False),
        sa.Column("auto_install", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "limit_kbps >= 0", name=op.f("ck_course_download_settings_limit_positive")
        ),
        sa.CheckConstraint(
            "window_from BETWEEN 0 AND 23 AND window_to BETWEEN 0 AND 23",
            name=op.f("ck_course_download_settings_hours_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_download_settings")),
    )
    op.create_table(
        "course_downloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=20), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("wanted_now", sa.Boolean(), nullable=False),
        sa.Column("install_requested", sa.Boolean(), nullable=False),
        sa.Column("bytes_done", sa.BigInteger(), nullable=False),
        sa.Column("speed", sa.BigInteger(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("last_progress_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("installed_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("last_error_at", sa.DateTime(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'verified', 'installed', 'refused')",
            name=op.f("ck_course_downloads_state_known"),
        ),
        sa.CheckConstraint(
            "size >= 1 AND bytes_done >= 0", name=op.f("ck_course_downloads_sizes_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_downloads")),
        sa.UniqueConstraint("sha256", name=op.f("uq_course_downloads_sha256")),
    )


def downgrade():
    op.drop_table("course_downloads")
    op.drop_table("course_download_settings")
