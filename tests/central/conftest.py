"""Central fixtures."""

from __future__ import annotations

import pytest

from tests.central.network import network  # noqa: F401 - shared fixture
from tests.central.test_ingest import central  # noqa: F401 - shared fixture
from tests.conftest import sign_in


@pytest.fixture
def signed_in_central():
    def as_staff(app, role="central_staff"):
        from telecenter.auth import services
        from telecenter.extensions import db

        with app.app_context():
            services.create_user(
                db.session,
                username=f"c-{role}",
                password="long-enough-1",
                display_name="Oficina",
                role=role,
            )
            db.session.commit()
        client = app.test_client()
        assert sign_in(client, f"c-{role}", "long-enough-1").status_code == 302
        return client

    return as_staff
