"""Central office pages: dashboard with targets and charts, downloads, telecenter list."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from telecenter import labels
from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import CENTRAL_ADMIN, CENTRAL_ROLES
from telecenter.central import aggregates, charts, dashboard, exports, targets
from telecenter.extensions import db_session
from telecenter.forms import EmptyForm
from telecenter.views import attempt, csv_download, file_download

bp = Blueprint("central", __name__, url_prefix="/central")
central_users = roles_required(*CENTRAL_ROLES)


def _query_or_error():
    try:
        return dashboard.query_from(request.args, db_session()), None
    except aggregates.QueryError as problem:
        first, last = dashboard.default_range()
        return aggregates.Query(first, last), str(problem)


@bp.route("/")
@central_users
def index():
    query, error = _query_or_error()
    answer = aggregates.run(db_session(), query)
    tables = {by: dashboard.breakdown(db_session(), query, by) for by in dashboard.BREAKDOWNS}
    months = tables["month"]["rows"]
    trend_svg = charts.trend(
        _("Asistencias por mes"), [charts.Bar(r["month"], r["attendances"] or 0) for r in months]
    )
    region_svg = charts.bars(
        _("Personas alcanzadas por región"),
        [charts.Bar(str(r["region"]), r["reached"] or 0) for r in tables["region"]["rows"]],
    )
    sex_svg = charts.bars(
        _("Asistencias por sexo"),
        [
            charts.Bar(labels.label("sex", r["sex"], plural=True), r["attendances"] or 0)
            for r in tables["sex"]["rows"]
        ],
    )
    return render_template(
        "central/dashboard.html",
        query=query,
        error=error,
        totals=answer["totals"],
        tables=tables,
        trend_svg=trend_svg,
        region_svg=region_svg,
        sex_svg=sex_svg,
        active=dashboard.active_telecenters(db_session(), query),
        progress=targets.progress(db_session(), last_month=query.last),
        region_options=[(region, region) for region in dashboard.regions(db_session())],
        telecenter_options=[
            (code, f"{code} · {name}") for code, name in dashboard.telecenter_codes(db_session())
        ],
        filters=dashboard.DASHBOARD_FILTERS,
        measures=aggregates.MEASURES,
        form=EmptyForm(),
        row_limit=ROW_LIMIT,
    ), (400 if error else 200)


ROW_LIMIT = 60  # a page stays quick with 1,000 telecenters; downloads carry every row


@bp.route("/download/<by>.<fmt>")
@central_users
def download(by: str, fmt: str):
    if by not in (*dashboard.BREAKDOWNS, "all") or fmt not in ("csv", "xlsx"):
        return redirect(url_for(".index"))
    query, error = _query_or_error()
    if error:
        flash(error, "error")
        return redirect(url_for(".index"))
    answer = (
        aggregates.run(db_session(), query)
        if by == "all"
        else dashboard.breakdown(db_session(), query, by)
    )
    name = f"participacion-{by}-{query.first}-{query.last}"
    if fmt == "csv":
        return csv_download(exports.participation_csv(answer), f"{name}.csv")
    return file_download(
        exports.participation_xlsx(answer, title=by),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.route("/telecenters")
@central_users
def telecenters():
    return render_template("central/telecenters.html", rows=dashboard.telecenter_rows(db_session()))


@bp.route("/targets", methods=["POST"])
@roles_required(CENTRAL_ADMIN)
def add_target():
    value = (request.form.get("value", "") or "0").strip()
    if not EmptyForm().validate_on_submit():
        return redirect(url_for(".index"))
    if not value.isdigit():
        flash(_("La meta debe ser un número de 1 a 10 000 000."), "error")
    elif attempt(
        lambda: targets.save(
            db_session(),
            name=request.form.get("name", ""),
            measure=request.form.get("measure", ""),
            value=int(value),
            filters={k: request.form.get(k) for k in ("sex", "region", "category")},
            last_month=dashboard.default_range()[1],
        )
    ).ok:
        flash(_("Meta guardada."), "success")
    return redirect(url_for(".index"))


@bp.app_context_processor
def central_labels():
    return {
        "measure_labels": MEASURE_LABELS,
        "group_labels": GROUP_LABELS,
    }


MEASURE_LABELS = {
    "reached": _l("Personas alcanzadas"),
    "trained": _l("Personas capacitadas (aprobaron un curso)"),
    "teleconference_reached": _l("Personas que asistieron a una teleconferencia"),
    "wfi_enrolments": _l("Mujeres inscritas en inclusión financiera"),
    "attendances": _l("Asistencias"),
    "sessions_held": _l("Sesiones realizadas"),
    "hours": _l("Horas"),
    "registrations": _l("Registros nuevos"),
    "completions": _l("Cursos aprobados"),
}
GROUP_LABELS = {
    "region": _l("Región"),
    "telecenter": _l("Telecentro"),
    "month": _l("Mes"),
    "sex": _l("Sexo"),
    "age_band": _l("Edad"),
    "category": _l("Categoría"),
    "activity": _l("Actividad"),
    "wfi": _l("Programa de mujeres"),
}
