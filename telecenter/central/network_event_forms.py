"""The forms of network teleconferences. The boxes only read what was typed; every rule (and
its message beside the box) is telecenter.central.network_events', so an event saved any way
obeys them."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import Optional

from telecenter import labels
from telecenter.central import network_events
from telecenter.central.models import NetworkEvent
from telecenter.central.network_events import EventData
from telecenter.clock import to_lima
from telecenter.forms import Form, MultiCheckboxField, SelectChoice
from telecenter.labels import as_choices

AUDIENCE_LABELS = {
    "all": _l("Todos los telecentros"),
    "region": _l("Los telecentros de una región"),
    "chosen": _l("Solo los telecentros que marque"),
}
NOT_A_DAY = _l("Esa fecha no existe. Elija el día en el calendario.")
NOT_A_TIME = _l("Escriba la hora así: 15:00.")


# Empty boxes are the service's to name (with every other message at once); a value that is
# not a day or a time is the box's own message. WTForms 3.3's invalid_value_message:
# types-WTForms (3.2) predates it.
def _day(label) -> DateField:
    return DateField(label, validators=[Optional()], invalid_value_message=NOT_A_DAY)  # type: ignore[call-arg]


def _time(label) -> TimeField:
    return TimeField(label, validators=[Optional()], invalid_value_message=NOT_A_TIME)  # type: ignore[call-arg]


class WhenForm(Form):
    """Day and times in Lima: a reschedule is this form alone."""

    day = _day(_l("Día"))
    start = _time(_l("Hora de inicio (hora de Lima)"))
    end = _time(_l("Hora de fin"))

    def moments(self) -> tuple[datetime | None, datetime | None]:
        """(starts_at, ends_at) in UTC (None for an empty box), or EventRefused for a day too
        far away."""
        day = self.day.data
        if day is None:
            return None, None
        return tuple(  # type: ignore[return-value]
            None if clock is None else network_events.moment(day, clock, "day")
            for clock in (self.start.data, self.end.data)
        )

    def show(self, event: NetworkEvent) -> None:
        starts, ends = to_lima(event.starts_at), to_lima(event.ends_at)
        self.day.data, self.start.data, self.end.data = starts.date(), starts.time(), ends.time()


class NetworkEventForm(WhenForm):
    """Choices (regions and telecenters) are filled by the view."""

    title = StringField(_l("Título"))
    topic = StringField(_l("Tema (opcional)"))
    category = SelectField(_l("Categoría"), choices=labels.choices("category"))
    commodity = SelectField(
        _l("Cultivo (solo agricultura)"), choices=labels.crop_choices(blank=_l("— Ninguno —"))
    )
    purpose = RadioField(
        _l("Tipo de sesión"), choices=labels.choices("purpose"), default="training"
    )
    presenter = StringField(_l("Expositor"))
    organisation = StringField(_l("Institución del expositor"))
    platform = StringField(_l("Plataforma (Zoom, Meet, radio...)"))
    joining_details = TextAreaField(_l("Datos para conectarse (enlace, código, clave)"))
    # Again here, so that problems are listed in the order the page shows the boxes.
    day = _day(_l("Día"))
    start = _time(_l("Hora de inicio (hora de Lima)"))
    end = _time(_l("Hora de fin"))
    audience = RadioField(
        _l("¿Para qué telecentros es?"), choices=as_choices(AUDIENCE_LABELS), default="all"
    )
    # The service checks the region (only when the audience is a region), with its message.
    region = SelectField(_l("Región"), choices=[], validate_choice=False)
    telecenters = MultiCheckboxField(_l("Telecentros"), choices=[], coerce=int)
    notes = TextAreaField(_l("Notas de central (opcional)"))

    def set_choices(self, regions: list[str], telecenters) -> None:
        self.region.choices = [SelectChoice("", _l("— Elija —"))] + [
            SelectChoice(region, region) for region in regions
        ]
        self.telecenters.choices = [
            SelectChoice(t.id, f"{t.code} · {t.name} ({t.region})") for t in telecenters
        ]

    def show(self, event: NetworkEvent) -> None:
        super().show(event)
        for name in ("title", "topic", "category", "purpose", "presenter", "organisation"):
            getattr(self, name).data = getattr(event, name)
        self.platform.data, self.joining_details.data = event.platform, event.joining_details
        self.commodity.data = event.commodity or ""
        self.audience.data, self.region.data = event.audience, event.region or ""
        self.telecenters.data = [t.id for t in event.chosen]
        self.notes.data = event.notes

    def event_data(self) -> EventData:
        starts_at, ends_at = self.moments()
        return EventData(
            title=self.title.data or "",
            topic=self.topic.data or "",
            category=self.category.data or "",
            commodity=self.commodity.data or None,
            purpose=self.purpose.data or "",
            presenter=self.presenter.data or "",
            organisation=self.organisation.data or "",
            platform=self.platform.data or "",
            joining_details=self.joining_details.data or "",
            starts_at=starts_at,
            ends_at=ends_at,
            audience=self.audience.data or "",
            region=self.region.data or None,
            telecenters=tuple(self.telecenters.data or ()),
            notes=self.notes.data or "",
        )


class CancelForm(Form):
    reason = StringField(_l("Motivo (cada telecentro lo leerá)"))


class NotesForm(Form):
    notes = TextAreaField(_l("Notas de central"))
