"""Women's financial-inclusion programme pages: enrolment, surveys, indicators."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from telecenter.auth.permissions import roles_required
from telecenter.auth.roles import STAFF
from telecenter.clock import today_in_lima
from telecenter.extensions import db, db_session
from telecenter.forms import EmptyForm, filled
from telecenter.participants import services, survey_answers, wfi
from telecenter.participants import survey_choices as sc
from telecenter.participants.forms import EnrolForm, SurveyForm
from telecenter.participants.lookup import load_participant
from telecenter.participants.models import WfiSurvey
from telecenter.views import attempt, handle_form

T = TypeVar("T")
bp = Blueprint("wfi", __name__, url_prefix="/programme")
staff_only = roles_required(*STAFF)


@bp.route("/")
@staff_only
def indicators():
    baseline, latest = wfi.indicators(db_session())
    return render_template(
        "wfi/indicators.html",
        baseline=baseline,
        latest=latest,
        enrolled=wfi.women_enrolled(db_session()),
        women=wfi.enrolled_women(
            db_session(),
            today=today_in_lima(),
            follow_up_months=current_app.config["WFI_FOLLOW_UP_MONTHS"],
        ),
        follow_up_months=current_app.config["WFI_FOLLOW_UP_MONTHS"],
    )


@bp.route("/participants/<int:participant_id>/enrol", methods=["GET", "POST"])
@staff_only
def enrol(participant_id: int):
    participant = load_participant(participant_id)
    form = EnrolForm()
    return handle_form(
        form,
        lambda: wfi.enrol(
            db_session(),
            participant,
            enrolled_on=filled(form.enrolled_on.data),
            telecenter_code=current_app.config["TELECENTER_CODE"],
            trainer=current_user,
            actor=current_user,
            today=today_in_lima(),
        ),
        template="wfi/enrol.html",
        p=participant,
        success=lambda _enrolment: (
            _("Inscrita en el programa de inclusión financiera."),
            url_for("participants.detail", participant_id=participant.id),
        ),
    )


@bp.route("/participants/<int:participant_id>/wfi-consent", methods=["POST"])
@staff_only
def wfi_consent(participant_id: int):
    participant = load_participant(participant_id)
    if (
        EmptyForm().validate_on_submit()
        and attempt(
            lambda: services.record_wfi_consent(db_session(), participant, actor=current_user)
        ).ok
    ):
        flash(_("Consentimiento para datos financieros registrado."), "success")
    return redirect(url_for("participants.detail", participant_id=participant.id))


@bp.route("/participants/<int:participant_id>/surveys", methods=["GET", "POST"])
@staff_only
def surveys(participant_id: int):
    participant = load_participant(participant_id)
    form = SurveyForm()
    baseline, latest = wfi.comparison(participant)
    return handle_form(
        form,
        _survey_action(wfi.record_survey, participant, form),
        success=lambda survey: (
            _("Encuesta guardada (%(kind)s).", kind=sc.SURVEY_KINDS[survey.kind]),
            url_for(".surveys", participant_id=participant.id),
        ),
        template="wfi/surveys.html",
        p=participant,
        baseline=baseline,
        latest=latest,
        consent_form=EmptyForm(),
    )


def _survey_action(service: Callable[..., T], subject, form: SurveyForm) -> Callable[[], T]:
    """A survey service (record or correct) run on the form's date and answers."""
    return lambda: service(
        db_session(),
        subject,
        form.answers(),
        taken_on=form.taken_on.data,
        actor=current_user,
        today=today_in_lima(),
    )


def _load_survey(survey_id: int) -> WfiSurvey:
    """A saved survey, or 404 like its participant's pages (for erased people too)."""
    survey = db.get_or_404(WfiSurvey, survey_id)
    load_participant(survey.participant_id)
    return survey


@bp.route("/surveys/<int:survey_id>")
@staff_only
def survey(survey_id: int):
    """One saved survey in full: every question with its answer in words."""
    survey = _load_survey(survey_id)
    return render_template(
        "wfi/survey.html",
        survey=survey,
        p=survey.participant,
        answers=survey_answers.in_words(survey),
    )


@bp.route("/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_survey(survey_id: int):
    survey = _load_survey(survey_id)
    form = SurveyForm.for_correction(survey)
    return handle_form(
        form,
        _survey_action(wfi.correct_survey, survey, form),
        success=lambda changed: (
            _("Encuesta corregida.") if changed else _("No hubo cambios."),
            url_for(".survey", survey_id=survey.id),
        ),
        template="wfi/survey_edit.html",
        survey=survey,
        p=survey.participant,
    )
