"""The values of the reported dimensions, defined once.

These short English codes are the sync contract: a site stores them in its records, counts by
them and sends them in every month report; central validates, stores, filters and exports by
them. Renaming or adding one is a change of the contract (and of a database constraint), so
every package reads them from here and none spells its own list. What people read for each
value is in `telecenter.labels`; this module has no words for people, only codes.
See ../shared/DESIGN.md, "Counting".

A few value sets that stay on the site (how an attendance was recorded, where a learner stands
in a course) are kept here too, so that code and labels read one list; they are not in
`DIMENSIONS` and no month report carries them.
"""

from __future__ import annotations

#: What kind of scheduled session (the `activity` dimension).
ACTIVITIES = ("class", "teleconference", "workshop")
#: The topic of a course or session (the `category` dimension).
CATEGORIES = ("digital_literacy", "financial_literacy", "agriculture", "other")
SEXES = ("female", "male", "unspecified")
#: Each band by the youngest age in it, youngest first; below the first, the age is unknown.
AGE_BAND_FLOORS = ((15, "15-17"), (18, "18-29"), (30, "30-44"), (45, "45-59"), (60, "60+"))
UNKNOWN_AGE = "unknown"
AGE_BANDS = (*(band for _floor, band in AGE_BAND_FLOORS), UNKNOWN_AGE)
#: Enrolled in the women's financial-inclusion programme at the event.
WFI = (True, False)
#: The crop an agriculture session or course is about (schema 2).
CROPS = ("cacao", "coffee", "banana", "timber", "other_crop")
#: The `commodity` dimension: a crop, or `none` for sessions that are not agriculture.
NO_COMMODITY = "none"
COMMODITIES = (*CROPS, NO_COMMODITY)
#: What a session is for: training counts as training; a talk ("charla / sensibilizacion")
#: counts as participation but never as training.
PURPOSES = ("training", "talk")
#: The reporting periods reach is counted in (schema 2): a person counts once per period.
PERIODS = ("ever", "fiscal_year", "year", "quarter", "month")
#: The reach scopes of schema 1: each person counts once per scope, ever.
SCOPES_V1 = (
    "any",
    *(f"activity:{activity}" for activity in ACTIVITIES),
    "self_paced",
    *(f"category:{category}" for category in CATEGORIES),
    "trained",
)
#: Schema 2 adds training by subject and reach by crop.
SCOPES = (
    *SCOPES_V1,
    *(f"trained:{category}" for category in CATEGORIES),
    *(f"commodity:{crop}" for crop in CROPS),
)
#: The programme's outcome indicators, as the `wfi_outcomes` stock fact names them.
WFI_OUTCOME_INDICATORS = (
    "account",
    "wallet",
    "digital_payment",
    "saving",
    "savings_group",
    "emergency_funds",
)

#: What a trainer marks on the roster, and the statuses that count as having attended.
ATTENDANCE_STATUSES = ("present", "late", "excused", "absent")
COUNTED_STATUSES = ("present", "late")
#: How an attendance was recorded: on the trainer's roster, by the person at the kiosk, or on
#: the roster for someone who came without registering. Site only, never reported.
ATTENDANCE_SOURCES = ("roster", "kiosk", "walk_in")
#: How a course is passed (`trained` counts the first completion either way).
COMPLETION_MODES = ("self_paced", "classroom")
#: Where a learner stands in a course (enrolled but not started, under way, completed):
#: computed for the trainer's course report, never stored or reported.
COURSE_STATES = ("enrolled", "in_progress", "completed")

#: The dimensions of the month report, by name.
DIMENSIONS = {
    "activity": ACTIVITIES,
    "category": CATEGORIES,
    "sex": SEXES,
    "age_band": AGE_BANDS,
    "wfi": WFI,
    "scope": SCOPES,
    "commodity": COMMODITIES,
    "purpose": PURPOSES,
    "period": PERIODS,
}
