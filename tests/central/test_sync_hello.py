"""`GET /api/v1/sync/hello`: what a site's "Probar conexión" asks central."""

from __future__ import annotations

import sqlalchemy as sa

from telecenter.central import tokens
from telecenter.central.models import Telecenter
from telecenter.extensions import db

CODE = "SM-TARAPOTO-01"


def _hello(app, token, **params):
    return app.test_client().get(
        "/api/v1/sync/hello", query_string=params, headers={"Authorization": f"Bearer {token}"}
    )


def _last_heard(app, code=CODE):
    with app.app_context():
        return db.session.scalar(sa.select(Telecenter.last_heard_at).where(Telecenter.code == code))


def test_the_token_names_its_telecenter_and_counts_as_contact(central):
    assert _last_heard(central) is None
    answer = _hello(central, central.tokens[CODE], telecenter=CODE)
    assert answer.status_code == 200
    answer_json = answer.get_json()
    assert answer_json == {"telecenter": CODE, "name": CODE, "settings": answer_json["settings"]}
    assert answer_json["settings"]["counting_rules"]["rules_version"] == "1"
    assert _last_heard(central) is not None


def test_an_unknown_or_revoked_token_is_401_and_changes_nothing(central):
    assert _hello(central, "tcs_desconocida").status_code == 401
    assert central.test_client().get("/api/v1/sync/hello").status_code == 401
    with central.app_context():
        telecenter = db.session.scalar(sa.select(Telecenter).where(Telecenter.code == CODE))
        tokens.revoke(telecenter)
        db.session.commit()
    assert _hello(central, central.tokens[CODE]).status_code == 401
    assert _last_heard(central) is None


def test_another_telecenters_code_is_403_naming_the_tokens_own(central):
    answer = _hello(central, central.tokens["HU-TINGO-02"], telecenter=CODE)
    assert answer.status_code == 403
    body = answer.get_json()
    assert body["telecenter"] == "HU-TINGO-02"
    assert body["error"] == "forbidden"
    assert CODE in body["reason"]
    assert _last_heard(central, "HU-TINGO-02") is None
