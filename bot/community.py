"""The services a command handler may use, opened once from the config.

Handlers receive a `CommandContext`: the community's services, the member who asked, the
moment they asked, and whether they are in the planning group.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.config import Config
from bot.content.files import load_content
from bot.content.messages import Messages
from bot.content.prompts import Prompt
from bot.content.sectors import Sectors
from bot.content.support import Support
from bot.content.welcome import Welcome
from bot.domain.clock import Clock
from bot.domain.context import Actor, Reply
from bot.domain.memo import Memos
from bot.storage.attendance import AttendanceStore
from bot.storage.audit import AuditStore
from bot.storage.calendar_changes import CalendarChanges
from bot.storage.calendar_links import CalendarLinkStore
from bot.storage.connect import ConnectStore
from bot.storage.db import open_db
from bot.storage.deliveries import DeliveryStore
from bot.storage.feedback import FeedbackStore
from bot.storage.library import LibraryStore
from bot.storage.members import Member, MemberStore, Recipient
from bot.storage.meta import MetaStore
from bot.storage.pending import PendingStore
from bot.storage.posted import PostedStore
from bot.storage.previews import PreviewStore
from bot.storage.privacy import HoldsMemberData, Privacy
from bot.storage.reflections import ReflectionStore
from bot.storage.rooms import RoomStore
from bot.storage.sectors import SectorStore
from bot.storage.series import SeriesStore
from bot.storage.sessions import Session, SessionStore
from bot.storage.signups import SignupStore


@dataclass
class Outcomes:
    """Who came, what they took away, which sectors met: the stores the report reads."""

    sectors: SectorStore
    attendance: AttendanceStore
    feedback: FeedbackStore
    sector_choices: Sectors

    @classmethod
    def open(cls, db: Database, sector_choices: Sectors) -> Outcomes:
        return cls(SectorStore(db), AttendanceStore(db), FeedbackStore(db), sector_choices)

    def stores(self) -> list[HoldsMemberData]:
        return [self.sectors, self.attendance, self.feedback]


@dataclass
class Community:
    """Everything the commands work with: config, clock, words and stores."""

    config: Config
    db: Database
    clock: Clock
    messages: Messages
    members: MemberStore
    sessions: SessionStore
    series: SeriesStore
    signups: SignupStore
    audit: AuditStore
    deliveries: DeliveryStore
    privacy: Privacy
    meta: MetaStore
    posted: PostedStore
    reflections: ReflectionStore
    library: LibraryStore
    calendar_links: CalendarLinkStore
    previews: PreviewStore
    prompts: list[Prompt]
    support: Support
    rooms: RoomStore
    pending: PendingStore
    outcomes: Outcomes
    welcome: Welcome
    connect: ConnectStore
    # What code keeps between commands (its bounded caches), each under its owner's type.
    memos: Memos = field(default_factory=Memos)
    # How each platform sends a member's reminders unless they chose ("dm" or "thread"), as
    # its front end declares it: `bot/app.py` knows the platforms, the community does not.
    vias: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def open(
        cls,
        config: Config,
        clock: Clock,
        db: Database | None = None,
        vias: Mapping[str, str] | None = None,
    ) -> Community:
        db = db if db is not None else open_db(config.database)
        changes = CalendarChanges()  # the places' changes, noted for the listings
        members, signups = MemberStore(db), SignupStore(db, changes)
        audit, deliveries = AuditStore(db), DeliveryStore(db)
        reflections, library = ReflectionStore(db), LibraryStore(db)
        links, rooms = CalendarLinkStore(db), RoomStore(db)
        connect = ConnectStore(db)
        previews = PreviewStore(db)
        content = load_content(config.content_dir)
        outcomes = Outcomes.open(db, content.sectors)
        library.load(content.resources, clock.now())
        return cls(
            config=config,
            db=db,
            clock=clock,
            messages=content.messages,
            members=members,
            sessions=SessionStore(db, changes),
            series=SeriesStore(db),
            signups=signups,
            audit=audit,
            deliveries=deliveries,
            privacy=Privacy(
                [
                    members,
                    signups,
                    audit,
                    deliveries,
                    reflections,
                    library,
                    links,
                    rooms,
                    previews,
                    *outcomes.stores(),
                    connect,
                ]
            ),
            meta=MetaStore(db),
            posted=PostedStore(db),
            reflections=reflections,
            library=library,
            calendar_links=links,
            previews=previews,
            prompts=content.prompts,
            support=content.support,
            rooms=rooms,
            pending=PendingStore(db),
            outcomes=outcomes,
            welcome=content.welcome,
            connect=connect,
            vias=dict(vias or {}),
        )

    def default_via(self, platform: str) -> str:
        """How `platform` sends reminders to a member who has not chosen: "dm" or "thread"."""
        return self.vias.get(platform, "dm")

    @property
    def zone(self) -> ZoneInfo:
        return self.config.zone

    def db_version(self) -> tuple[int, int]:
        """Changes so far through this connection, and by any other (another process)."""
        other = self.db.execute("PRAGMA data_version").fetchone()[0]
        return (self.db.conn.total_changes, int(other))

    def register(
        self, actor: Actor, others: int | None = None, now: datetime | None = None
    ) -> Member:
        """The member who typed a command, registered on first contact; `others` as in
        `MemberStore.register` (SQLite's data_version, just read); `now` if the caller has
        already read the clock."""
        return self.members.register(
            actor.platform,
            actor.user_id,
            actor.display_name,
            self.config.timezone,
            now or self.clock.now(),
            others,
        )


class NoticeQueue(Protocol):
    """Where a command queues what the delivery wing sends for it (news for members, posts
    for the channel, work for the front end): `bot.scheduling.notices.Notices`."""

    def notify(
        self,
        member_ids: list[int],
        kind: str,
        reply: Reply,
        *,
        session_id: int | None = None,
        known: Mapping[int, Recipient] | None = None,
    ) -> None: ...

    def notify_holders(
        self, session: Session, kind: str, render: Callable[[ZoneInfo], Reply]
    ) -> int: ...

    def session_changed(self, session_id: int) -> None: ...

    def places_changed(self, session_id: int, member: Member) -> None: ...

    def leave_rooms(self, member: Member) -> None: ...

    def announce(
        self, key: str, kind: str, reply: Reply, *, session_id: int | None = None
    ) -> None: ...


@dataclass
class CommandContext:
    """What a handler knows about the call it is answering."""

    community: Community
    actor: Actor
    member: Member
    now: datetime
    is_planner: bool
    notices: NoticeQueue
    # The calendar's marks as the command began (`SessionStore.calendar_mark`), read once
    # with who typed it; None where a context is made without them.
    marks: tuple[int, int, int] | None = None

    @property
    def zone(self) -> ZoneInfo:
        """The member's own time zone, in which every time they read is shown."""
        return ZoneInfo(self.member.timezone)

    def say(self, key: str, **fields: object) -> str:
        return self.community.messages(key, **fields)
