"""Which recording a learner hears: the lesson in her mother tongue when it was recorded in it
(the registry says which), else in Spanish, else whichever there is."""

from __future__ import annotations

from telecenter.courses.models import Lesson, LessonRecording
from telecenter.participants.models import Participant

DEFAULT_LANGUAGE = "spanish"


def recording_for(lesson: Lesson, participant: Participant | None) -> LessonRecording | None:
    by_language = {recording.language: recording for recording in lesson.recordings}
    wanted = participant.mother_tongue if participant is not None else None
    return (
        by_language.get(wanted or DEFAULT_LANGUAGE)
        or by_language.get(DEFAULT_LANGUAGE)
        or next(iter(lesson.recordings), None)
    )
