"""Central office pages: dashboard with targets and charts, downloads, telecenter list."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from telecenter import labels, vocabulary
from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import CENTRAL_ADMIN, CENTRAL_ROLES
from telecenter.central import (
    aggregates,
    charts,
    dashboard,
    exports,
    indicators,
    outcomes,
    quality,
    rules,
    targets,
)
from telecenter.central import tracking_workbook as tracking_workbook_file
from telecenter.central.forms import CountingRulesForm, TargetForm
from telecenter.central.indicator_forms import IndicatorForm
from telecenter.central.models import Indicator, ProgrammeTarget
from telecenter.extensions import db, db_session
from telecenter.forms import EmptyForm, filled
from telecenter.labels import as_choices
from telecenter.views import attempt, csv_download, failed_status, file_download, handle_form

bp = Blueprint("central", __name__, url_prefix="/central")
central_users = roles_required(*CENTRAL_ROLES)
central_admins = roles_required(CENTRAL_ADMIN)


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
        fiscal=dashboard.fiscal_year_figures(db_session()),
        outcome_labels=OUTCOME_LABELS,
        progress=targets.progress(db_session(), last_month=query.last),
        region_options=[(region, region) for region in dashboard.regions(db_session())],
        telecenter_options=[
            (code, f"{code} · {name}") for code, name in dashboard.telecenter_codes(db_session())
        ],
        filters=dashboard.DASHBOARD_FILTERS,
        measures=aggregates.MEASURES,
        row_limit=ROW_LIMIT,
    ), (400 if error else 200)


ROW_LIMIT = 60  # a page stays quick with 1,000 telecenters; downloads carry every row


@bp.route("/download/<by>.<fmt>")
@central_users
def download(by: str, fmt: str):
    """A dashboard table as a file for people: `sep=semicolon` for a CSV for Excel set to
    decimal commas, `public=1` for publication (small cells hidden)."""
    back = url_for(".index", **_dashboard_args())
    if by not in (*dashboard.BREAKDOWNS, "all") or fmt not in ("csv", "xlsx"):
        flash(_("Esa descarga no existe: use los botones de descarga del tablero."), "error")
        return redirect(back)
    query, error = _query_or_error()
    if error:
        flash(error, "error")
        return redirect(url_for(".index"))
    try:
        choice = exports.choice_from(request.args)
    except exports.DownloadError as problem:
        flash(str(problem), "error")
        return redirect(back)
    answer = (
        aggregates.run(db_session(), query)
        if by == "all"
        else dashboard.breakdown(db_session(), query, by)
    )
    minimum = current_app.config["SMALL_CELL_MINIMUM"] if choice.public else None
    sheet = exports.for_people(
        answer, measure_labels=MEASURE_LABELS, group_labels=GROUP_LABELS, public_minimum=minimum
    )
    name = f"participacion-{by}-{query.first}-{query.last}" + ("-publicar" if minimum else "")
    if fmt == "csv":
        return csv_download(exports.sheet_csv(sheet, choice.separator), f"{name}.csv")
    title = str(GROUP_LABELS.get(by, _("Participación")))
    return file_download(
        exports.sheet_xlsx(sheet, title=title),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


#: A download's own arguments (the others are the dashboard's filters).
DOWNLOAD_ARGS = ("by", "fmt", "sep", "public")


def _dashboard_args() -> dict:
    return {k: v for k, v in request.args.items() if k not in DOWNLOAD_ARGS}


@bp.app_context_processor
def download_links():
    def download_url(by: str, fmt: str, **choice) -> str:
        """A download of the table `by` with the dashboard's filters of this page."""
        return url_for("central.download", by=by, fmt=fmt, **_dashboard_args(), **choice)

    return {"download_url": download_url}


@bp.route("/telecenters")
@central_users
def telecenters():
    days = current_app.config["CENTRAL_SILENT_DAYS"]
    return render_template(
        "central/telecenters.html",
        rows=dashboard.telecenter_rows(db_session(), silent_days=days),
        silent_days=days,
    )


@bp.route("/targets")
@central_users
def target_list():
    return render_template(
        "central/targets.html",
        progress=targets.progress(db_session(), last_month=dashboard.default_range()[1]),
    )


def _target_form(target: ProgrammeTarget | None = None) -> TargetForm:
    form = TargetForm(obj=None if target is None else _FormData(targets.data_of(target)))
    if target is None and not form.is_submitted():
        form.start_month.data = targets.PROGRAMME_START
    form.measure.choices = as_choices(MEASURE_LABELS, blank=_("Elija qué se cuenta"))
    form.sex.choices = as_choices(dict(labels.labelled("sex", plural=True)), blank=_("Todos"))
    form.region.choices = as_choices(
        {region: region for region in dashboard.regions(db_session())}, blank=_("Todas")
    )
    form.category.choices = as_choices(dict(labels.labelled("category")), blank=_("Todas"))
    return form


class _FormData:
    """A saved target's data under the names of the form's fields."""

    def __init__(self, data: targets.TargetData):
        self.__dict__.update(
            name=data.name,
            measure=data.measure,
            value=data.value,
            start_month=data.start_month,
            deadline_month=data.deadline_month or "",
            **{name: data.filters.get(name, "") for name in targets.TARGET_FILTERS},
        )


def _typed_target(form: TargetForm) -> targets.TargetData:
    return targets.TargetData(
        name=form.name.data or "",
        measure=form.measure.data or "",
        value=filled(form.value.data),
        start_month=form.start_month.data or "",
        deadline_month=form.deadline_month.data or None,
        filters={name: getattr(form, name).data for name in targets.TARGET_FILTERS},
    )


@bp.route("/targets/new", methods=["GET", "POST"])
@central_admins
def new_target():
    form = _target_form()
    return handle_form(
        form,
        lambda: targets.create(db_session(), _typed_target(form)),
        success=lambda target: (_("Meta guardada."), url_for(".target_list")),
        template="central/target_form.html",
        target=None,
    )


@bp.route("/targets/<int:target_id>/edit", methods=["GET", "POST"])
@central_admins
def edit_target(target_id: int):
    target = db.get_or_404(ProgrammeTarget, target_id)
    form = _target_form(target)
    return handle_form(
        form,
        lambda: targets.update(db_session(), target, _typed_target(form)),
        success=lambda saved: (
            _("Meta «%(name)s» guardada.", name=saved.name),
            url_for(".target_list"),
        ),
        template="central/target_form.html",
        target=target,
    )


@bp.route("/targets/<int:target_id>/delete", methods=["GET", "POST"])
@central_admins
def delete_target(target_id: int):
    target = db.get_or_404(ProgrammeTarget, target_id)
    form = EmptyForm()
    if form.validate_on_submit():
        name = target.name
        if attempt(lambda: targets.delete(db_session(), target)).ok:
            flash(_("Meta «%(name)s» borrada.", name=name), "success")
        return redirect(url_for(".target_list"))
    return render_template(
        "central/target_delete.html",
        form=form,
        progress=targets.progress_of(db_session(), target, last_month=dashboard.default_range()[1]),
    ), failed_status(form)


def _rules_page(form: CountingRulesForm | None = None, status: int = 200):
    if form is None:
        current = rules.current_rules(db_session())
        form = CountingRulesForm(
            data={
                "course_completed": current.course_completed,
                "min_sessions": current.min_sessions,
                "min_hours": current.min_hours,
                "fiscal_year_start": current.fiscal_year_start,
                "based_on": current.rules_version,
            }
        )
    return render_template(
        "central/counting_rules.html",
        current=rules.current_rules(db_session()),
        history=rules.history(db_session()),
        month_names=rules.MONTH_NAMES,
        form=form,
    ), status


@bp.route("/rules")
@central_users
def counting_rules():
    return _rules_page()


@bp.route("/rules/publish", methods=["POST"])
@central_admins
def publish_rules():
    form = CountingRulesForm()
    if form.validate_on_submit():
        outcome = attempt(
            lambda: rules.publish(
                db_session(),
                course_completed=bool(form.course_completed.data),
                min_sessions=form.min_sessions.data,
                min_hours=form.min_hours.data,
                fiscal_year_start=form.fiscal_year_start.data,
                actor=current_user,
                based_on=form.based_on.data or None,
            ),
            form=form,
        )
        if not outcome.ok and isinstance(outcome.error, rules.RulesChanged):
            # What she typed stays; publishing again now builds on the version she sees.
            form.based_on.data = rules.current_rules(db_session()).rules_version
            return _rules_page(form, status=outcome.error.status)
        if outcome.ok:
            flash(
                _(
                    "Reglas de conteo publicadas: versión %(version)s. Cada telecentro las "
                    "recibirá en su próxima sincronización.",
                    version=outcome.value.rules_version,
                ),
                "success",
            )
            return redirect(url_for(".counting_rules"))
    return _rules_page(form, status=failed_status(form))


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
    "hours": _l("Horas de participación"),
    "registrations": _l("Registros nuevos"),
    "completions": _l("Cursos aprobados"),
    "reached_new": _l("Personas alcanzadas: nuevas"),
    "reached_continuing": _l("Personas alcanzadas: continúan"),
    "trained_new": _l("Personas capacitadas: nuevas"),
    "trained_continuing": _l("Personas capacitadas: continúan"),
    "teleconference_reached_new": _l("Asistentes a teleconferencias: nuevos"),
    "teleconference_reached_continuing": _l("Asistentes a teleconferencias: continúan"),
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
    "purpose": _l("Tipo de sesión"),
    "commodity": _l("Cultivo"),
    "fiscal_year": _l("Año fiscal"),
    "year": _l("Año"),
    "quarter": _l("Trimestre"),
}
#: The programme's outcome indicators (telecenter.vocabulary.WFI_OUTCOME_INDICATORS).
OUTCOME_LABELS = {
    "account": _l("Tiene cuenta en una entidad financiera"),
    "wallet": _l("Usa una billetera móvil"),
    "digital_payment": _l("Hizo un pago digital"),
    "saving": _l("Ahorra"),
    "savings_group": _l("Es miembro de un grupo de ahorro"),
    "emergency_funds": _l("Tiene fondos para emergencias"),
}


# --- the indicator catalogue -------------------------------------------------------------


def _measure_words() -> dict:
    """Each catalogue measure in words (participation measures as the dashboard names them)."""
    words: dict = {m: MEASURE_LABELS.get(m, m) for m in indicators.participation_measures()}
    for category, name in labels.labelled("category"):
        words[f"trained:{category}"] = _("Personas capacitadas en: %(topic)s", topic=name)
    for crop in vocabulary.CROPS:
        words[f"commodity:{crop}"] = _(
            "Personas en sesiones de: %(crop)s", crop=labels.label("commodity", crop)
        )
    for name in (*outcomes.COUNTS, *outcomes.SHARES):
        words[f"{indicators.OUTCOME_PREFIX}{name}"] = _outcome_words(name)
    words[indicators.FEMALE_SHARE] = _("Proporción de mujeres entre las personas alcanzadas")
    return words


def _outcome_words(name: str) -> str:
    plain = {
        "enrolled": _("Programa: mujeres inscritas"),
        "with_baseline": _("Programa: mujeres con línea de base"),
        "with_follow_up": _("Programa: mujeres con seguimiento"),
    }
    if name in plain:
        return plain[name]
    share = name.endswith("_share")
    indicator, when = name.removesuffix("_share").rsplit("_", 1)
    moment = _("línea de base") if when == "baseline" else _("última encuesta")
    what = OUTCOME_LABELS[indicator]
    if share:
        return _("Programa (%%): %(what)s, %(moment)s", what=what, moment=moment)
    return _("Programa: %(what)s, %(moment)s", what=what, moment=moment)


def _indicator_form(indicator: Indicator | None = None) -> IndicatorForm:
    form = IndicatorForm(obj=indicator)
    form.measure.choices = as_choices(_measure_words(), blank=_("Elija qué cuenta"))
    form.unit.choices = as_choices(indicators.UNIT_LABELS)
    form.period_type.choices = as_choices(indicators.PERIOD_LABELS)
    form.disaggregations.choices = as_choices(indicators.SPLIT_LABELS)
    form.programme.choices = as_choices(indicators.PROGRAMME_LABELS)
    return form


def _typed_indicator(form: IndicatorForm) -> indicators.IndicatorData:
    return indicators.IndicatorData(
        code=form.code.data or "",
        name=form.name.data or "",
        name_en=form.name_en.data or "",
        definition=form.definition.data or "",
        measure=form.measure.data or "",
        unit=form.unit.data or "",
        period_type=form.period_type.data or "",
        disaggregations=tuple(form.disaggregations.data or ()),
        programme=form.programme.data or "",
        target=form.target.data,
        baseline=form.baseline.data,
        dhis2_uid=form.dhis2_uid.data or None,
    )


@bp.route("/indicators")
@central_users
def indicator_list():
    return render_template(
        "central/indicators.html",
        catalogue=indicators.catalogue(db_session()),
        measure_words=_measure_words(),
        unit_words=indicators.UNIT_LABELS,
        period_words=indicators.PERIOD_LABELS,
        split_words=indicators.SPLIT_LABELS,
        uid_of=indicators.uid_of,
    )


@bp.route("/indicators/workbook.xlsx")
@central_users
def tracking_workbook():
    """The tracking workbook of `fiscal_year` (default: the one central is in)."""
    session = db_session()
    year = request.args.get("fiscal_year") or dashboard.current_fiscal_year(session)[0]
    try:
        body = tracking_workbook_file.workbook(session, year)
    except indicators.IndicatorError as problem:
        for message in problem.errors.values():
            flash(message, "error")
        return redirect(url_for(".indicator_list"))
    return file_download(
        body,
        f"indicadores-{year}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.route("/indicators/new", methods=["GET", "POST"])
@central_admins
def new_indicator():
    form = _indicator_form()
    return handle_form(
        form,
        lambda: indicators.save(db_session(), _typed_indicator(form)),
        success=lambda saved: (
            _("Indicador «%(name)s» guardado.", name=saved.name),
            url_for(".indicator_list"),
        ),
        template="central/indicator_form.html",
        indicator=None,
    )


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@central_admins
def edit_indicator(indicator_id: int):
    indicator = db.get_or_404(Indicator, indicator_id)
    form = _indicator_form(indicator)
    return handle_form(
        form,
        lambda: indicators.save(db_session(), _typed_indicator(form), indicator),
        success=lambda saved: (
            _("Indicador «%(name)s» guardado.", name=saved.name),
            url_for(".indicator_list"),
        ),
        template="central/indicator_form.html",
        indicator=indicator,
    )


QUALITY_LIST_LIMIT = 100  # rows per list on the page; the API carries every row


@bp.route("/calidad")
@central_users
def quality_page():
    """Data quality: reports missing or late, figures that cannot be right, outliers."""
    first, last = quality.default_range()
    args = {
        "from": request.args.get("from") or first,
        "to": request.args.get("to") or last,
        "region": request.args.get("region", ""),
    }
    error = None
    try:
        query = quality.parse(args, db_session())
    except aggregates.QueryError:
        query = quality.QualityQuery(first, last)
        error = _(
            "No se pudo mostrar lo pedido: elija meses entre 2000 y 2099, con «Desde» antes "
            "de «Hasta» (20 años como máximo), y una región de la lista."
        )
    return render_template(
        "central/quality.html",
        result=quality.report(db_session(), query, due_day=current_app.config["REPORT_DUE_DAY"]),
        error=error,
        rules=quality.RULES,
        region_options=[(region, region) for region in dashboard.regions(db_session())],
        limit=QUALITY_LIST_LIMIT,
        figure_labels=QUALITY_FIGURE_LABELS,
        status_labels=QUALITY_STATUS_LABELS,
    ), (400 if error else 200)


QUALITY_FIGURE_LABELS = {
    "attendances": _l("asistencias"),
    "participants": _l("participantes"),
    "sessions_held": _l("sesiones realizadas"),
    "session_hours": _l("horas de sesión"),
    "new_people": _l("personas nuevas"),
    "enrolled": _l("mujeres inscritas"),
    "with_baseline": _l("con encuesta inicial"),
    "with_follow_up": _l("con seguimiento"),
    "largest_outcome": _l("el resultado más alto"),
    "registrations": _l("registros nuevos"),
    "network_attendances": _l("asistencias a teleconferencias de la red"),
    "network_sessions": _l("sesiones de teleconferencias de la red"),
}
QUALITY_STATUS_LABELS = {
    quality.LATE: _l("Llegó tarde"),
    quality.MISSING: _l("Falta"),
    quality.WAITING: _l("Aún en plazo"),
}
