"""Named groups a trainer keeps ("Mujeres Pucayacu martes").

A group is the expected list of the sessions scheduled for it and can be enrolled in a course at
once; members added later join every session of the group, past lists aside (who attended is
recorded per session and never rewritten by a group change).
"""

from __future__ import annotations

import logging
from collections.abc import Collection

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter import audit
from telecenter.auth.models import User
from telecenter.domain_errors import DomainError
from telecenter.participants.models import Group, GroupMember, Participant

log = logging.getLogger(__name__)


class GroupError(DomainError):
    """A group change that cannot be made; the message says why."""


def all_groups(session: Session) -> list[Group]:
    return list(session.scalars(sa.select(Group).order_by(Group.name)))


def create(session: Session, name: str, *, actor: User | None) -> Group:
    cleaned = " ".join(name.split())[:120]
    if not cleaned:
        raise GroupError({"name": _("Escriba un nombre para el grupo.")})
    if session.scalar(sa.select(Group.id).where(sa.func.lower(Group.name) == cleaned.lower())):
        raise GroupError({"name": _("Ya hay un grupo con ese nombre.")})
    group = Group(name=cleaned, created_by_id=actor.id if actor else None)
    session.add(group)
    session.flush()
    _audit(session, actor, "group.create", group)
    return group


def members(session: Session, group: Group) -> list[Participant]:
    """Active members, by surname."""
    return list(
        session.scalars(
            sa.select(Participant)
            .join(GroupMember, GroupMember.participant_id == Participant.id)
            .where(GroupMember.group_id == group.id, Participant.erased_at.is_(None))
            .order_by(Participant.surnames, Participant.given_names, Participant.id)
        )
    )


def member_ids(session: Session, group_id: int) -> set[int]:
    return set(
        session.scalars(
            sa.select(GroupMember.participant_id)
            .join(Participant, Participant.id == GroupMember.participant_id)
            .where(GroupMember.group_id == group_id, Participant.erased_at.is_(None))
        )
    )


def groups_of(participant_id: int) -> sa.Select:
    """The ids of the groups a participant belongs to, as a subquery."""
    return sa.select(GroupMember.group_id).where(GroupMember.participant_id == participant_id)


def add_members(
    session: Session, group: Group, participant_ids: Collection[int], *, actor: User | None
) -> int:
    """Add people (already members are skipped); return how many joined."""
    present = member_ids(session, group.id)
    joining = set(
        session.scalars(
            sa.select(Participant.id).where(
                Participant.id.in_(set(participant_ids) - present),
                Participant.erased_at.is_(None),
            )
        )
    )
    if not joining:
        raise GroupError(_("Marque al menos a una persona que no esté en el grupo."))
    session.add_all(GroupMember(group_id=group.id, participant_id=pid) for pid in joining)
    session.flush()
    _audit(session, actor, "group.add_members", group, f"{len(joining)} people")
    return len(joining)


def remove_member(
    session: Session, group: Group, participant: Participant, *, actor: User | None
) -> None:
    removed = session.execute(
        sa.delete(GroupMember).where(
            GroupMember.group_id == group.id, GroupMember.participant_id == participant.id
        )
    )
    if not removed.rowcount:  # type: ignore[attr-defined]  # a DELETE answers a CursorResult
        raise GroupError(_("Esa persona no está en el grupo."))
    _audit(session, actor, "group.remove_member", group)


def _audit(session: Session, actor: User | None, action: str, group: Group, detail: str = ""):
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="group",
        subject_id=group.id,
        detail=detail,
    )
