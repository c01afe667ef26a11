"""Which groups the bot is in, and which clinicians moderate them.

The bot records a group when Telegram tells it that it was added (or when it
first reads a message there), and marks it removed when it is taken out; an
admin links the group to moderator clinicians in the console. Keyword-only
data functions with the session passed in; they never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.groups.errors import GroupNotFound, GroupRemoved, NotAModerator, UnknownClinician
from bot.groups.models import SupportGroup, SupportGroupEvent, SupportGroupModerator
from bot.handoff.models import Clinician


def find_group(*, session: Session, telegram_chat_id: str) -> SupportGroup | None:
    return session.scalar(select(SupportGroup).where(SupportGroup.telegram_chat_id == telegram_chat_id))


def get_group(*, session: Session, group_id: int) -> SupportGroup:
    group = session.get(SupportGroup, group_id)
    if group is None:
        raise GroupNotFound()
    return group


def record_bot_added(
    *, session: Session, telegram_chat_id: str, title: str, now: datetime, bot_is_admin: bool = False
) -> SupportGroup:
    """The bot is a member of the group (again): active, with its current title.

    A group the bot was removed from and added to again keeps its moderators and
    its switches: the clinic set them up once.
    """
    group = find_group(session=session, telegram_chat_id=telegram_chat_id)
    if group is None:
        group = SupportGroup(telegram_chat_id=telegram_chat_id, title=title[:255], added_at=now)
        session.add(group)
    elif group.status != "active":
        group.added_at = now
    group.status = "active"
    group.removed_at = None
    group.title = title[:255] or group.title
    group.bot_is_admin = bot_is_admin
    session.flush()
    return group


def record_bot_removed(*, session: Session, telegram_chat_id: str, now: datetime) -> SupportGroup | None:
    """The bot left or was removed: it does nothing there any more, and keeps none of its messages.

    The words of the messages it acted on were kept for the moderators' report;
    with the bot gone there is nothing more to do about them, so they go now
    rather than at the end of the retention period. The counts stay.
    """
    group = find_group(session=session, telegram_chat_id=telegram_chat_id)
    if group is None:
        return None
    group.status = "removed"
    group.removed_at = now
    session.execute(
        update(SupportGroupEvent)
        .where(SupportGroupEvent.group_id == group.id, SupportGroupEvent.message_text.is_not(None))
        .values(message_text=None, text_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return group


def migrate_group(*, session: Session, old_chat_id: str, new_chat_id: str) -> SupportGroup | None:
    """A group that became a supergroup gets a new chat id: the link follows it."""
    group = find_group(session=session, telegram_chat_id=old_chat_id)
    if group is None or find_group(session=session, telegram_chat_id=new_chat_id) is not None:
        return group
    group.telegram_chat_id = new_chat_id
    session.flush()
    return group


def moderator_ids(*, session: Session, group_id: int) -> list[int]:
    return list(
        session.scalars(
            select(SupportGroupModerator.clinician_id)
            .where(SupportGroupModerator.group_id == group_id)
            .order_by(SupportGroupModerator.clinician_id)
        )
    )


def is_linked(*, session: Session, group: SupportGroup) -> bool:
    """Active, with at least one moderator: the bot does its whole job there."""
    return group.status == "active" and bool(moderator_ids(session=session, group_id=group.id))


def set_moderators(*, session: Session, group_id: int, clinician_ids: Iterable[int], now: datetime) -> list[int]:
    """Make exactly these clinicians the group's moderators (none: the group is unlinked)."""
    group = get_group(session=session, group_id=group_id)
    wanted = sorted(set(clinician_ids))
    if wanted and group.status != "active":
        raise GroupRemoved()
    active = set(
        session.scalars(select(Clinician.id).where(Clinician.id.in_(wanted), Clinician.disabled.is_(False)))
    )
    if set(wanted) - active:
        raise UnknownClinician()
    current = set(moderator_ids(session=session, group_id=group_id))
    for clinician_id in current - set(wanted):
        session.execute(
            delete(SupportGroupModerator).where(
                SupportGroupModerator.group_id == group_id, SupportGroupModerator.clinician_id == clinician_id
            )
        )
    for clinician_id in set(wanted) - current:
        session.add(SupportGroupModerator(group_id=group_id, clinician_id=clinician_id, added_at=now))
    session.flush()
    return wanted


def require_moderator(*, session: Session, group_id: int, clinician_id: int, is_admin: bool) -> SupportGroup:
    """The group, if this clinician may see and run it (its moderators and every admin)."""
    group = get_group(session=session, group_id=group_id)
    if not is_admin and clinician_id not in moderator_ids(session=session, group_id=group_id):
        raise NotAModerator()
    return group


def set_myth_watch(*, session: Session, group_id: int, enabled: bool) -> SupportGroup:
    group = get_group(session=session, group_id=group_id)
    group.myth_watch_enabled = enabled
    session.flush()
    return group


def visible_groups(*, session: Session, clinician_id: int, is_admin: bool) -> list[SupportGroup]:
    """Every group for an admin; the groups they moderate for anyone else."""
    query = select(SupportGroup).order_by(SupportGroup.status, SupportGroup.title, SupportGroup.id)
    if not is_admin:
        query = query.join(SupportGroupModerator, SupportGroupModerator.group_id == SupportGroup.id).where(
            SupportGroupModerator.clinician_id == clinician_id
        )
    return list(session.scalars(query))


def on_duty_moderator_chats(*, session: Session, group_id: int) -> list[str]:
    """Telegram chats of the group's moderators who are on duty, enabled and linked a Telegram account."""
    return list(
        session.scalars(
            select(Clinician.telegram_chat_id)
            .join(SupportGroupModerator, SupportGroupModerator.clinician_id == Clinician.id)
            .where(
                SupportGroupModerator.group_id == group_id,
                Clinician.on_duty.is_(True),
                Clinician.disabled.is_(False),
                Clinician.telegram_chat_id.is_not(None),
            )
            .order_by(Clinician.id)
        )
    )
