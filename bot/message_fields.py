"""Which placeholders each message template may use: the contract between code and words.

`content/messages.toml` is checked against this at start. Add a template here and there
together; a test renders every template with these fields.
"""

from __future__ import annotations

COMMAND_NAMES = (
    "help",
    "sessions",
    "mine",
    "calendar",
    "signup",
    "cancel",
    "prompt",
    "reflect",
    "subscribe",
    "unsubscribe",
    "pause",
    "settings",
    "upcoming-posts",
    "post-now",
    "timezone",
    "mydata",
    "forget-me",
    "schedule",
    "edit",
    "cancel-session",
    "attendees",
)


def _f(*names: str) -> set[str]:
    return set(names)


FIELDS: dict[str, set[str]] = {
    # errors
    "error.generic": _f(),
    "error.bad_input": _f(),
    "error.unknown_command": _f("text"),
    "error.not_allowed": _f("command"),
    "error.unknown_session": _f("id"),
    "error.session_closed": _f("id", "title"),
    "error.missing": _f("option"),
    "error.session_id": _f("text"),
    "error.capacity": _f("text"),
    "error.weeks": _f("text"),
    "error.choice": _f("text", "choices"),
    "error.too_long": _f("limit"),
    "error.control": _f(),
    "error.quotes": _f(),
    "error.unknown_option": _f("option"),
    "error.extra": _f("text"),
    "error.unexpected": _f("ref"),
    "when.unreadable": _f("text"),
    "when.impossible": _f("text"),
    "when.nonexistent": _f("text"),
    "when.past": _f("when"),
    "duration.bad": _f("text"),
    "repeat.bad": _f("text"),
    "repeat.mismatch": _f("text", "weekday"),
    "objective.bad": _f("text"),
    "timezone.bad": _f("text"),
    # sessions and cards
    "session.title": _f("id", "title"),
    "session.when": _f("start", "end", "zone"),
    "session.what": _f("objective", "where"),
    "session.where_tbc": _f(),
    "session.places_left": _f("left", "capacity"),
    "session.open_places": _f("confirmed"),
    "session.full": _f("waitlisted"),
    "session.cancelled_line": _f("reason"),
    "session.you_confirmed": _f(),
    "session.you_waitlisted": _f("position"),
    "action.signup": _f(),
    "action.cancel": _f(),
    "action.forget_confirm": _f(),
    "sessions.none": _f(),
    "sessions.intro": _f("count", "zone"),
    "mine.none": _f(),
    "mine.intro": _f("count"),
    "calendar.ready": _f("count"),
    # signups
    "signup.confirmed": _f("id", "title", "when", "where"),
    "signup.waitlisted": _f("id", "title", "position"),
    "signup.already": _f("title", "status"),
    "cancel.done": _f("id", "title"),
    "cancel.not_signed_up": _f("title"),
    # notices
    "notice.promoted": _f("id", "title", "when"),
    "notice.cancelled": _f("id", "title", "when", "reason"),
    "notice.no_reason": _f(),
    "notice.changed": _f("id", "title", "changes", "when", "where"),
    # members
    "timezone.current": _f("zone"),
    "timezone.set": _f("zone"),
    "mydata.intro": _f("when"),
    "mydata.profile_title": _f(),
    "mydata.profile": _f("name", "zone", "platform"),
    "mydata.signups_title": _f(),
    "mydata.signup": _f("id", "title", "status"),
    "mydata.section.planning_actions": _f(),
    "mydata.section.messages_sent_or_planned": _f(),
    "mydata.section.reflections": _f(),
    "mydata.count": _f("count"),
    "forget.ask": _f(),
    "forget.done": _f(),
    # planning group
    "schedule.title_missing": _f(),
    "schedule.title_long": _f("limit"),
    "schedule.done": _f("id", "title", "count"),
    "schedule.series": _f("repeat", "count"),
    "announce.new": _f("title", "objective"),
    "announce.repeat": _f("repeat"),
    "edit.done": _f("id", "title", "count"),
    "edit.bad_pair": _f("text"),
    "edit.unknown_field": _f("field", "fields"),
    "edit.nothing": _f(),
    "edit.field.start_utc": _f(),
    "edit.field.duration_minutes": _f(),
    "edit.field.location": _f(),
    "edit.field.title": _f(),
    "cancel_session.already": _f("id", "title"),
    "cancel_session.done": _f("id", "title", "count", "told"),
    "attendees.intro": _f("id", "title", "confirmed", "waitlisted"),
    "attendees.confirmed": _f("name", "position"),
    "attendees.waiting": _f("name", "position"),
    "attendees.none": _f(),
    # help
    "help.intro": _f("community"),
    "help.line": _f("name"),
    "help.footer": _f(),
    "help.example": _f("example"),
    "help.planners_only": _f(),
    "help.usage_hint": _f("usage"),
    # the calendar running itself
    "reminder.text": _f("id", "title", "lead", "when", "where"),
    "reminder.why": _f(),
    "soon.text": _f("id", "title", "where"),
    "followup.text": _f("title"),
    "followup.why": _f(),
    "prompt.none": _f(),
    "prompt.note": _f("note"),
    "prompt.text": _f("objective", "theme", "text"),
    "prompt.how_to_reflect": _f(),
    "prompt.why": _f(),
    "pick.text": _f("objective", "title", "summary", "kind", "link"),
    "pick.no_link": _f(),
    "pick.why": _f(),
    "reflect.kept": _f(),
    "pause.done": _f("until"),
    "action.undo": _f(),
    "action.resume": _f(),
    "settings.intro": _f(),
    "settings.title": _f(),
    "settings.how": _f(),
    "settings.see": _f(),
    "settings.paused": _f("until"),
    "settings.quiet": _f("start", "end"),
    "settings.zone": _f("zone"),
    "upcoming_posts.none": _f(),
    "upcoming_posts.intro": _f("count"),
    "upcoming_posts.title": _f(),
    "upcoming_posts.line": _f("when", "kind", "count"),
    "post_now.queued": _f("what"),
    "post_now.reminders": _f("count"),
    # console
    "console.clock": _f("when"),
    "console.clock_bad": _f(),
    "console.banner": _f("community", "user", "database"),
    "console.switched": _f("name", "role"),
    "console.role_planner": _f(),
    "console.role_member": _f(),
    "console.delivery_to": _f("name"),
    "console.delivery_channel": _f("channel"),
    "console.saved": _f("path"),
    "console.not_command": _f(),
}
for _kind in ("prompts", "reminders", "picks"):
    FIELDS[f"settings.{_kind}.on"] = set()
    FIELDS[f"settings.{_kind}.off"] = set()
    FIELDS[f"action.stop_{_kind}"] = set()
    FIELDS[f"action.start_{_kind}"] = set()
for _kind in ("prompts", "reminders", "picks", "all"):
    FIELDS[f"subscribe.{_kind}"] = set()
    FIELDS[f"unsubscribe.{_kind}"] = set()
for _kind in ("reminder", "soon", "followup", "prompt", "prompt-dm", "pick", "pick-dm"):
    FIELDS[f"kind.{_kind}"] = set()
for _name in COMMAND_NAMES:
    for _part in ("summary", "usage", "example"):
        FIELDS[f"help.{_name}.{_part}"] = set()
