"""USB bundles both ways (issue 22): a site's admin saves the pending months on the sync page,
central's admin receives them on «Informes por USB» (or with `telecenter central
import-bundle`), and the file central prepares in answer stops the site re-sending.

One site and one central on one database, as the other sync tests. The site's data is sent
twice, under two telecenter codes of one central: once over the network (through a bridge
into central's app) as SM-RED-01, once on a USB bundle as SM-USB-02, so the two paths can be
compared figure by figure.
"""

from __future__ import annotations

import hmac
import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from telecenter import bundles, month_report
from telecenter.central import rules as central_rules
from telecenter.central.models import FACT_TABLES, MonthReport
from telecenter.extensions import db
from telecenter.sync import network_settings, outbox, tasks
from telecenter.sync.models import NetworkSettings, OutboxMonth
from tests.conftest import csrf_token
from tests.sync.generate import populate
from tests.sync.test_network_settings import Bridge

BY_NETWORK, BY_USB = "SM-RED-01", "SM-USB-02"
RANGE = "from=2010-01&to=2029-12"


@pytest.fixture
def central(make_app):
    app = make_app("central")
    runner = app.test_cli_runner()
    app.tokens = {}
    for code in (BY_NETWORK, BY_USB):
        result = runner.invoke(
            args=["central", "add-telecenter", code, "--name", code.title(), "--region", "Ucayali"]
        )
        assert result.exit_code == 0, result.output
        app.tokens[code] = result.output.strip().splitlines()[-1]
    return app


@pytest.fixture
def office(central, signed_in_central):
    """Central's admin, signed in."""
    return signed_in_central(central, "central_admin")


@pytest.fixture
def site(clock, app, central, signed_in):
    """The site's admin, signed in, with four months of data; the site is BY_USB."""
    with app.app_context():
        populate(db.session, seed=4, people=25, months=4)
        db.session.commit()
    be(app, central, BY_USB)
    return signed_in("admin")


def be(app, central, code: str) -> None:
    app.config.update(
        TELECENTER_CODE=code, CENTRAL_URL="http://central.test", SYNC_TOKEN=central.tokens[code]
    )


def save_reports(admin) -> bytes:
    answer = admin.post("/admin/sync/usb/reports", data={"csrf_token": csrf_token(admin)})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith(f"attachment; filename=informes-{BY_USB}-")
    return answer.get_data()


def receive(office, data: bytes, name: str = "informes.tcbundle"):
    return office.post(
        "/central/usb/",
        data={"csrf_token": csrf_token(office), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def network_file(office, code: str = BY_USB) -> bytes:
    answer = office.get(f"/central/usb/network-bundle?telecenter={code}")
    assert answer.status_code == 200, answer.headers.get("Location")
    assert f"filename=red-{code}-" in answer.headers["Content-Disposition"]
    return answer.get_data()


def load(admin, data: bytes):
    return admin.post(
        "/admin/sync/usb/network",
        data={"csrf_token": csrf_token(admin), "file": (io.BytesIO(data), "red.tcbundle")},
        content_type="multipart/form-data",
    )


def content_of(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read("bundle.json"))


def rezipped(data: bytes, **parts: bytes) -> bytes:
    """The bundle with some of its entries replaced (None: left out)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries |= parts
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, value in entries.items():
            if value is not None:
                archive.writestr(name, value)
    return buffer.getvalue()


@pytest.fixture
def reader(central, signed_in_central):
    """Central staff, who read the participation API."""
    return signed_in_central(central, "central_staff")


def participation(reader, code: str) -> dict:
    answer = reader.get(f"/api/v1/participation?{RANGE}&telecenter={code}&group_by=month")
    assert answer.status_code == 200, answer.json
    return answer.json


def central_state(central) -> dict:
    """What "nothing changed" is compared on at central: its reports and every fact row."""
    with central.app_context():
        reports = db.session.execute(
            sa.select(MonthReport.telecenter_id, MonthReport.month, MonthReport.digest)
        ).all()
        facts = {
            name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for name, table in FACT_TABLES.items()
        }
        return {"reports": sorted(reports), "facts": facts}


def outbox_state(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMonth).order_by(OutboxMonth.month))
        settings = db.session.get(NetworkSettings, 1)
        kept = (settings.version, settings.settings) if settings else None
        return [(r.month, r.state, r.digest, r.sent_digest) for r in rows] + [kept]


def states(app) -> dict[str, str]:
    with app.app_context():
        return {row.month: row.state for row in db.session.scalars(sa.select(OutboxMonth))}


def attendances_in(request: dict) -> int:
    return sum(
        sum(month_report.columns_of(report, "attendance")["attendances"])
        for report in request["reports"]
    )


def test_a_bundle_carried_to_central_counts_as_a_network_sync_of_the_same_months(
    app, central, site, office, reader
):
    data = save_reports(site)
    request = content_of(data)["request"]
    months = sorted(r["month"] for r in request["reports"])
    answer = receive(office, data)
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert 'data-testid="carry-back"' in page
    assert page.count('data-status="stored"') == len(months)
    be(app, central, BY_NETWORK)  # the same data under the other code, never sent: all pending
    with app.app_context():
        sent = tasks.sync_now(transport=Bridge(central).transport)
    assert sorted(sent.sent) == months
    by_network, by_usb = participation(reader, BY_NETWORK), participation(reader, BY_USB)
    assert by_usb["totals"] == by_network["totals"]
    assert by_usb["totals"]["attendances"] == attendances_in(request) > 0
    assert [{k: v for k, v in r.items() if k != "telecenter"} for r in by_usb["rows"]] == [
        {k: v for k, v in r.items() if k != "telecenter"} for r in by_network["rows"]
    ]


def test_the_bundle_carries_exactly_the_body_the_network_path_posts(app, central, site):
    data = save_reports(site)
    content = content_of(data)
    assert (content["format"], content["version"], content["telecenter"]) == (
        "telecenter-report-bundle",
        1,
        BY_USB,
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        raw, sig = archive.read("bundle.json"), archive.read("bundle.sig").decode()
    key = bundles.signing_key(central.tokens[BY_USB])
    assert sig == hmac.new(key.encode(), raw, "sha256").hexdigest()
    bridge = Bridge(central)
    with app.app_context():
        tasks.sync_now(transport=bridge.transport)
    posted = bridge.bodies()  # in batches of client.BATCH months
    assert content["request"]["reports"] == [r for body in posted for r in body["reports"]]
    # The first batch names the settings the site had then, as the bundle does.
    assert {k: v for k, v in posted[0].items() if k != "reports"} == {
        k: v for k, v in content["request"].items() if k != "reports"
    }


def test_carrying_it_twice_changes_nothing(app, central, site, office, reader):
    data = save_reports(site)
    assert receive(office, data).status_code == 200
    before, figures = central_state(central), participation(reader, BY_USB)
    again = receive(office, data)
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert 'data-status="stored"' not in page
    assert page.count('data-status="duplicate"') == len(content_of(data)["request"]["reports"])
    assert central_state(central) == before
    assert participation(reader, BY_USB) == figures


def _resigned(content: dict, token: str) -> bytes:
    return bundles.write(content, bundles.signing_key(token))


def _refusals(central, data: bytes) -> dict[str, bytes]:
    content = content_of(data)
    tampered = json.loads(json.dumps(content))
    columns = next(
        r["attendance"] for r in tampered["request"]["reports"] if r["attendance"]["attendances"]
    )
    columns["attendances"][0] += 1
    raw = json.dumps(tampered, separators=(",", ":")).encode()
    unknown = {**content, "telecenter": "SM-NADIE-09"}
    unknown["request"] = {**content["request"], "telecenter": "SM-NADIE-09"}
    wrong_schema = {**content, "request": {**content["request"], "schema": 99}}
    return {
        "tampered": rezipped(data, **{"bundle.json": raw}),
        "signed by another telecenter": _resigned(content, central.tokens[BY_NETWORK]),
        "unknown telecenter": _resigned(unknown, central.tokens[BY_USB]),
        "wrong format": _resigned({**content, "format": "otra-cosa"}, central.tokens[BY_USB]),
        "central's own kind": _resigned(
            {**content, "format": "telecenter-network-bundle"}, central.tokens[BY_USB]
        ),
        "newer version": _resigned({**content, "version": 2}, central.tokens[BY_USB]),
        "no signature": rezipped(data, **{"bundle.sig": None}),
        "not a zip": b"esto no es un zip" * 10,
        "request refused by ingest": _resigned(wrong_schema, central.tokens[BY_USB]),
    }


REASONS = {
    "tampered": "La firma del archivo no corresponde",
    "signed by another telecenter": "La firma del archivo no corresponde",
    "unknown telecenter": "no tiene registrado el telecentro SM-NADIE-09",
    "wrong format": "no es un archivo de Telecentro para USB",
    "central's own kind": "no de informes de un telecentro",
    "newer version": "otra versión de Telecentro",
    "no signature": "no es un archivo de Telecentro para USB",
    "not a zip": "no es un archivo de Telecentro para USB",
    "request refused by ingest": "no pasaron la revisión",
}


def test_bad_bundles_are_refused_with_a_clear_reason_and_nothing_changes(central, site, office):
    data = save_reports(site)
    before = central_state(central)
    for case, bad in _refusals(central, data).items():
        answer = receive(office, bad)
        assert answer.status_code == 400, case
        assert REASONS[case] in answer.get_data(as_text=True), case
        assert central_state(central) == before, case
    assert receive(office, data).status_code == 200  # the genuine file still goes in


def test_a_revoked_telecenter_is_refused(central, site, office):
    data = save_reports(site)
    revoked = central.test_cli_runner().invoke(args=["central", "revoke-token", BY_USB])
    assert revoked.exit_code == 0, revoked.output
    answer = receive(office, data)
    assert answer.status_code == 400
    assert "fue anulada" in answer.get_data(as_text=True)
    assert central_state(central)["reports"] == []


def test_a_file_over_the_limit_is_refused_before_it_is_read(central, office):
    from telecenter.central.usb import MAX_REPORT_BUNDLE

    # A raw body, so that the test client spools nothing to a temporary file.
    answer = office.post(
        "/central/usb/",
        data=b"x" * (MAX_REPORT_BUNDLE + 128 * 1024),
        content_type="multipart/form-data; boundary=frontera",
    )
    assert answer.status_code == 303
    page = office.get(answer.headers["Location"]).get_data(as_text=True)
    assert "demasiado grande" in page
    assert central_state(central)["reports"] == []


def test_the_cli_imports_a_bundle_and_refuses_a_tampered_one(central, site, tmp_path):
    data = save_reports(site)
    path = tmp_path / "informes.tcbundle"
    bad = tmp_path / "cambiado.tcbundle"
    path.write_bytes(data)
    bad.write_bytes(_refusals(central, data)["tampered"])
    runner = central.test_cli_runner()
    refused = runner.invoke(args=["central", "import-bundle", str(bad)])
    assert refused.exit_code != 0
    assert "La firma del archivo no corresponde" in refused.output
    assert central_state(central)["reports"] == []
    done = runner.invoke(args=["central", "import-bundle", str(path)])
    assert done.exit_code == 0, done.output
    months = sorted(r["month"] for r in content_of(data)["request"]["reports"])
    assert done.output.splitlines()[1:] == [f"{m}\tstored" for m in months]
    again = runner.invoke(args=["central", "import-bundle", str(path)])
    assert again.output.splitlines()[1:] == [f"{m}\tduplicate" for m in months]


def test_central_s_answer_stops_the_site_re_sending_but_not_a_month_changed_since(
    app, central, site, office
):
    data = save_reports(site)
    months = sorted(r["month"] for r in content_of(data)["request"]["reports"])
    assert receive(office, data).status_code == 200
    answer = network_file(office)
    receipts = content_of(answer)["receipts"]
    assert [r["month"] for r in receipts] == months
    assert {r["schema"] for r in receipts} == {content_of(data)["request"]["schema"]}
    with app.app_context():  # a month's counts change after the file left, as a late entry
        row = next(r for r in db.session.scalars(sa.select(OutboxMonth)) if r.payload["attendance"])
        changed = row.month
        report = json.loads(json.dumps(row.payload))
        report["attendance"][0]["attendances"] += 1
        row.payload, row.digest = report, month_report.digest(report)
        db.session.commit()
    loaded = load(site, answer)
    assert loaded.status_code == 302
    assert states(app) == {**dict.fromkeys(months, "sent"), changed: "pending"}
    bridge = Bridge(central)
    with app.app_context():
        tasks.sync_now(transport=bridge.transport)
    assert [r["month"] for body in bridge.bodies() for r in body["reports"]] == [changed]


def test_central_s_file_brings_new_rules_applied_as_a_sync_answer(app, central, site, office):
    assert receive(office, save_reports(site)).status_code == 200
    with central.app_context():
        central_rules.publish(
            db.session,
            course_completed=True,
            min_sessions=3,
            min_hours=None,
            fiscal_year_start=10,
            actor=None,
        )
        db.session.commit()
    assert load(site, network_file(office)).status_code == 302
    with app.app_context():
        assert network_settings.known_version(db.session) == "r2"
        assert network_settings.current_rules(db.session).min_sessions == 3
        # Counted under the old rules: every month goes again, receipts or not.
        rows = db.session.scalars(sa.select(OutboxMonth)).all()
        assert {(r.state, r.digest) for r in rows} == {("pending", "new-rules")}


def test_the_site_refuses_another_telecenter_s_file_or_a_changed_one(app, central, site, office):
    assert receive(office, save_reports(site)).status_code == 200
    genuine = network_file(office)
    content = content_of(genuine)
    tampered = json.loads(json.dumps(content))
    tampered["settings"]["counting_rules"]["min_sessions"] = 1
    raw = json.dumps(tampered, separators=(",", ":")).encode()
    with app.app_context():
        outbox.refresh(db.session, telecenter=BY_USB)
    before = outbox_state(app)
    cases = {
        "Este archivo es para el telecentro SM-RED-01": network_file(office, BY_NETWORK),
        "La firma del archivo no corresponde": rezipped(genuine, **{"bundle.json": raw}),
        "no es un archivo de la oficina central": save_reports(site),
        "no es un archivo de Telecentro para USB": b"PK\x03\x04 roto",
    }
    for reason, bad in cases.items():
        answer = load(site, bad)
        assert answer.status_code == 400, reason
        assert reason in answer.get_data(as_text=True), reason
        assert outbox_state(app) == before, reason
    app.config["SYNC_TOKEN"] = central.tokens[BY_NETWORK]  # a site holding another key
    answer = load(site, genuine)
    assert "La firma del archivo no corresponde" in answer.get_data(as_text=True)
    assert outbox_state(app) == before


def test_without_a_token_the_site_cannot_sign_and_with_nothing_pending_saves_no_file(
    app, central, site
):
    app.config.update(SYNC_TOKEN="")
    refused = site.post("/admin/sync/usb/reports", data={"csrf_token": csrf_token(site)})
    assert refused.status_code == 302
    assert "hace falta la clave" in site.get("/admin/sync/").get_data(as_text=True)
    be(app, central, BY_USB)
    with app.app_context():
        tasks.sync_now(transport=Bridge(central).transport)
    empty = site.post("/admin/sync/usb/reports", data={"csrf_token": csrf_token(site)})
    assert empty.status_code == 302
    assert "No hay meses por enviar" in site.get("/admin/sync/").get_data(as_text=True)


def test_the_pages_show_both_directions(site, office, central):
    page = site.get("/admin/sync/").get_data(as_text=True)
    assert "Guardar informes para llevar en USB" in page
    assert "Cargar archivo de la oficina central" in page
    usb_page = office.get("/central/usb/").get_data(as_text=True)
    assert "Recibir informes por USB" in usb_page
    assert f'value="{BY_USB}"' in usb_page
    listing = office.get("/central/telecenters").get_data(as_text=True)
    assert f"/central/usb/network-bundle?telecenter={BY_USB}" in listing


def test_an_unknown_or_revoked_telecenter_gets_no_network_file(central, office):
    unknown = office.get("/central/usb/network-bundle?telecenter=SM-NADIE-09")
    assert unknown.status_code == 302
    assert "Elija un telecentro" in office.get("/central/usb/").get_data(as_text=True)
    central.test_cli_runner().invoke(args=["central", "revoke-token", BY_USB])
    revoked = office.get(f"/central/usb/network-bundle?telecenter={BY_USB}")
    assert revoked.status_code == 302
    assert "no tiene una clave vigente" in office.get(revoked.headers["Location"]).get_data(
        as_text=True
    )


@pytest.mark.one_backend
def test_central_usb_routes_take_bad_input_without_5xx_or_a_change(central, office):
    from tests.test_bad_input_catalogue import BAD_VALUES, DEEP_JSON, QUERIES

    before = central_state(central)
    token = csrf_token(office)
    for query in (*QUERIES, "?telecenter=" + "X" * 5000, "?telecenter=%00"):
        for path in ("/central/usb/", "/central/usb/network-bundle"):
            assert office.get(path + query).status_code < 500, path + query
    for value in BAD_VALUES:
        answer = office.post("/central/usb/", data={"csrf_token": token, "file": value})
        assert answer.status_code == 400
    for body in (DEEP_JSON, "[1, 2]", '"text"', json.dumps({"file": [1, {"x": None}]})):
        answer = office.post(
            "/central/usb/",
            data=body,
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert answer.status_code == 400
    assert central_state(central) == before


def test_the_key_is_the_hash_central_keeps_of_the_token(central):
    with central.app_context():
        from telecenter.central.models import Telecenter

        kept = db.session.scalar(sa.select(Telecenter.token_hash).where(Telecenter.code == BY_USB))
    assert bundles.signing_key(central.tokens[BY_USB]) == kept


def test_the_site_s_batch_bound_is_central_s():
    from telecenter.central import ingest
    from telecenter.sync import usb

    assert usb.MAX_MONTHS == ingest.MAX_REPORTS_PER_REQUEST


def test_the_cli_writes_central_s_file_for_a_site(app, central, site, tmp_path):
    runner = central.test_cli_runner()
    path = tmp_path / "informes.tcbundle"
    path.write_bytes(save_reports(site))
    assert runner.invoke(args=["central", "import-bundle", str(path)]).exit_code == 0
    target = tmp_path / "red.tcbundle"
    done = runner.invoke(args=["central", "network-bundle", BY_USB, "--output", str(target)])
    assert done.exit_code == 0, done.output
    assert load(site, target.read_bytes()).status_code == 302
    assert set(states(app).values()) == {"sent"}
    assert runner.invoke(args=["central", "network-bundle", "SM-NADIE-09"]).exit_code != 0
