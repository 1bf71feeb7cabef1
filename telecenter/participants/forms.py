"""Registry forms. Rules live in services; these only shape and pre-check the input."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from telecenter import labels
from telecenter.clock import today_in_lima
from telecenter.forms import BoundedIntegerField, Form, MultiCheckboxField, SelectChoice
from telecenter.labels import as_choices
from telecenter.participants import choices, districts, survey_answers
from telecenter.participants import survey_choices as sc
from telecenter.participants.models import WfiSurvey
from telecenter.participants.rights import ERASURE_REASONS
from telecenter.participants.services import ConsentData, ParticipantData

_Q = sc.QUESTIONS


def yes_no_field(label) -> RadioField:
    """A yes/no question; the service says when it is left unanswered."""
    return RadioField(label, choices=as_choices(sc.YES_NO), validators=[Optional()])


class PersonFields(Form):
    given_names = StringField(_l("Nombres"), validators=[DataRequired(), Length(max=80)])
    surnames = StringField(_l("Apellidos"), validators=[Optional(), Length(max=80)])
    sex = RadioField(_l("Sexo"), choices=[], validators=[InputRequired()])
    birth_year = BoundedIntegerField(_l("Año de nacimiento"), validators=[Optional()])
    district_ubigeo = SelectField(_l("Distrito"), choices=[], validators=[Optional()])
    community = StringField(_l("Comunidad o caserío"), validators=[Optional(), Length(max=120)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sex.choices = labels.choices("sex")
        self.district_ubigeo.choices = [
            SelectChoice("", _l("— Elija el distrito —")),
            *(SelectChoice(code, name) for code, name in districts.choices()),
        ]

    def person_data(self) -> ParticipantData:
        return ParticipantData(
            given_names=self.given_names.data or "",
            surnames=self.surnames.data or "",
            sex=self.sex.data,
            birth_year=self.birth_year.data,
            district_ubigeo=self.district_ubigeo.data or None,
            community=self.community.data,
        )


class ParticipantForm(PersonFields):
    """The complete record: used to register and to correct (rectify)."""

    document_type = SelectField(_l("Tipo de documento"), choices=[])
    document_number = StringField(_l("Número de documento"), validators=[Length(max=16)])
    birth_date = DateField(_l("Fecha de nacimiento"), validators=[Optional()])
    phone = StringField(_l("Teléfono (opcional)"), validators=[Optional(), Length(max=20)])
    mother_tongue = SelectField(_l("Lengua materna"), choices=[], validators=[Optional()])
    schooling = SelectField(_l("Estudios (nivel más alto)"), choices=[], validators=[Optional()])
    occupation = SelectField(_l("Ocupación principal"), choices=[], validators=[Optional()])
    association_member = BooleanField(_l("Es socio(a) de una asociación o cooperativa"))
    head_of_household = BooleanField(_l("Es jefe(a) de hogar"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        blank = _l("— Elija —")
        self.document_type.choices = as_choices(choices.DOCUMENT_TYPES)
        self.mother_tongue.choices = as_choices(choices.MOTHER_TONGUES, blank=blank)
        self.schooling.choices = as_choices(choices.SCHOOLING, blank=blank)
        self.occupation.choices = as_choices(choices.OCCUPATIONS, blank=blank)

    def person_data(self) -> ParticipantData:
        data = super().person_data()
        data.document_type = self.document_type.data
        data.document_number = self.document_number.data
        data.birth_date = self.birth_date.data
        data.phone = self.phone.data
        data.mother_tongue = self.mother_tongue.data or None
        data.schooling = self.schooling.data or None
        data.occupation = self.occupation.data or None
        data.association_member = self.association_member.data
        data.head_of_household = self.head_of_household.data
        return data


class ConsentFields:
    consent = BooleanField(_l("La persona escuchó el texto y acepta registrarse"))
    guardian_name = StringField(
        _l("Nombre de la madre, padre o apoderado (si es menor de 18)"),
        validators=[Optional(), Length(max=160)],
    )
    wfi_consent = BooleanField(
        _l("Acepta también responder la encuesta de inclusión financiera (datos sensibles)")
    )
    # Shown as typed, so that a form sent back for another field keeps it (a password input
    # would come back empty and the person be saved without a PIN); the trainer types it
    # with the person beside her. The service checks it with the rest of the form.
    pin = StringField(
        _l("PIN de 4 números para ingresar"),
        validators=[Optional()],
        render_kw={"maxlength": 4, "size": 4},
    )
    confirm_not_duplicate = BooleanField(_l("Revisé: es otra persona, registrarla igual"))

    def consent_data(self) -> ConsentData:
        return ConsentData(
            given=self.consent.data,
            guardian_name=self.guardian_name.data,
            financial_inclusion=self.wfi_consent.data,
        )


class RegistrationForm(ConsentFields, ParticipantForm):
    pass


class QuickRegistrationForm(ConsentFields, PersonFields):
    """Walk-ins: the least needed to count them today; completed later."""


class PinForm(Form):
    pin = PasswordField(_l("Nuevo PIN (4 números)"), validators=[DataRequired(), Length(max=4)])


class EraseForm(Form):
    reason = RadioField(_l("Motivo"), choices=[], validators=[InputRequired()])
    confirm = BooleanField(
        _l("Entiendo que los datos personales se borran para siempre"), validators=[DataRequired()]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            "requested": _l("La persona lo pidió"),
            "registered_by_mistake": _l("Se registró por error"),
            "duplicate": _l("Registro repetido"),
        }
        self.reason.choices = as_choices({code: labels[code] for code in ERASURE_REASONS})


class ImportForm(Form):
    file = FileField(_l("Archivo CSV"), validators=[FileRequired()])
    consent_confirmed = BooleanField(
        _l("Confirmo que todas las personas de la lista dieron su consentimiento"),
        validators=[DataRequired()],
    )


class EnrolForm(Form):
    enrolled_on = DateField(
        _l("Fecha de inscripción"), default=today_in_lima, validators=[InputRequired()]
    )


class SurveyForm(Form):
    """The survey's questions (labels in survey_choices.QUESTIONS). Every answer is checked by
    the service (which ones apply, each answered), so that one sending shows every problem."""

    taken_on = DateField(_l("Fecha de la encuesta"), default=today_in_lima, validators=[Optional()])
    phone_access = RadioField(_Q["phone_access"], choices=[], validators=[Optional()])
    account_institutions = MultiCheckboxField(_Q["account_institutions"])
    no_account_reasons = MultiCheckboxField(_Q["no_account_reasons"])
    wallets_used = MultiCheckboxField(_Q["wallets_used"])
    digital_payment = yes_no_field(_Q["digital_payment"])
    saved = yes_no_field(_Q["saved"])
    saving_methods = MultiCheckboxField(_Q["saving_methods"])
    savings_group_member = yes_no_field(_Q["savings_group_member"])
    borrowed = yes_no_field(_Q["borrowed"])
    borrowing_sources = MultiCheckboxField(_Q["borrowing_sources"])
    emergency_funds = RadioField(_Q["emergency_funds"], choices=[], validators=[Optional()])
    has_own_income = yes_no_field(_Q["has_own_income"])
    income_decision = RadioField(_Q["income_decision"], choices=[], validators=[Optional()])
    financial_goal = StringField(_Q["financial_goal"], validators=[Optional(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.phone_access.choices = as_choices(sc.PHONE_ACCESS)
        self.emergency_funds.choices = as_choices(sc.EMERGENCY_FUNDS)
        self.income_decision.choices = as_choices(sc.INCOME_DECISION)
        for name, mapping in sc.MULTI_FIELDS.items():
            getattr(self, name).choices = as_choices(mapping)

    @classmethod
    def for_correction(cls, survey: WfiSurvey) -> SurveyForm:
        """The form with the survey's saved answers, until the corrected ones are sent."""
        form = cls()
        if form.is_submitted():
            return form
        data = {**survey_answers.stored(survey), "taken_on": survey.taken_on}
        for name in sc.YES_NO_QUESTIONS:
            data[name] = "yes" if data[name] else "no"
        return cls(data=data)

    def answers(self) -> dict:
        answers = {
            name: getattr(self, name).data
            for name in (
                "phone_access",
                "emergency_funds",
                "income_decision",
                "financial_goal",
                *sc.MULTI_FIELDS,
            )
        }
        for name in sc.YES_NO_QUESTIONS:  # None when not answered
            answers[name] = {"yes": True, "no": False}.get(getattr(self, name).data)
        return answers


class GroupForm(Form):
    name = StringField(
        _l("Nombre del grupo (por ejemplo: Mujeres Pucayacu martes)"),
        validators=[DataRequired(), Length(max=120)],
    )
