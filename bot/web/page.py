"""The public "what's on" page: plain, accessible HTML with no scripts and no names.

Every piece of text is escaped once, here. Landmarks (header, main, footer) and a heading
per session let a screen reader jump about; the layout is one column that reads at 320 px.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from zoneinfo import ZoneInfo

from bot.content.messages import Messages
from bot.domain.when import format_local, format_time
from bot.storage.sessions import Session

CSS = """
:root { color-scheme: light dark; }
body { margin: 0; font: 1rem/1.5 system-ui, sans-serif; overflow-wrap: anywhere; }
header, main, footer { max-width: 42rem; margin: 0 auto; padding: 1rem; }
header { border-bottom: 2px solid currentColor; }
h1 { font-size: 1.6rem; line-height: 1.2; margin: 0.2rem 0; }
h2 { font-size: 1.3rem; }
h3 { font-size: 1.1rem; margin: 0 0 0.3rem; }
.community { margin: 0; font-weight: 600; }
ol { list-style: none; padding: 0; }
li { border: 1px solid; border-radius: 0.5rem; padding: 0.8rem; margin: 0 0 1rem; }
dl { margin: 0; }
dt { font-weight: 600; margin-top: 0.4rem; }
dd { margin: 0; }
.cancelled h3 { text-decoration: line-through; }
a { color: LinkText; }
a:focus { outline: 3px solid; outline-offset: 2px; }
.skip { position: absolute; left: -100vw; }
.skip:focus { position: static; }
code { word-break: break-all; }
"""


@dataclass(frozen=True)
class Listing:
    """One session as the page shows it: words already chosen, not yet escaped."""

    session: Session
    places: str
    join: str


def render_page(
    messages: Messages,
    community: str,
    zone: ZoneInfo,
    listings: list[Listing],
    feed_url: str,
    webcal_url: str,
) -> str:
    """The whole page. `messages` give the words; everything is escaped on the way in."""

    def m(key: str, **fields: object) -> str:
        return escape(messages(key, **fields))

    intro = m("web.page_intro", community=community, zone=str(zone))
    where_tbc = messages("session.where_tbc")
    sessions = "".join(_session(m, item, zone, where_tbc) for item in listings)
    body = f"<ol>{sessions}</ol>" if listings else f"<p>{m('web.page_none')}</p>"
    return (
        '<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{m('web.page_title', community=community)}</title>"
        f'<link rel="alternate" type="text/calendar" href="{escape(feed_url)}">'
        f"<style>{CSS}</style></head><body>"
        f'<a class="skip" href="#subscribe">{m("web.page_skip")}</a>'
        f'<header><p class="community">{escape(community)}</p>'
        f"<h1>{m('web.page_heading')}</h1><p>{intro}</p></header>"
        f'<main><section aria-labelledby="sessions"><h2 id="sessions">'
        f"{m('web.page_sessions')}</h2>{body}</section>"
        '<section aria-labelledby="subscribe"><h2 id="subscribe">'
        f"{m('web.page_subscribe_title')}</h2><p>{m('web.page_subscribe')}</p>"
        f'<p><a href="{escape(webcal_url)}">{m("web.page_subscribe_link")}</a></p>'
        f"<p>{m('web.page_copy')}<br><code>{escape(feed_url)}</code></p></section></main>"
        f"<footer><p>{m('web.page_footer')}</p></footer></body></html>\n"
    )


def _session(m: Callable[..., str], item: Listing, zone: ZoneInfo, where_tbc: str) -> str:
    s = item.session
    when = f"{format_local(s.start, zone)}–{format_time(s.end, zone)}"
    rows = [
        (m("web.page_when"), f'<time datetime="{s.start.isoformat()}">{escape(when)}</time>'),
        (m("web.page_where"), escape(s.location or where_tbc)),
        (m("web.page_objective"), escape(s.objective)),
        (m("web.page_places"), escape(item.places)),
    ]
    if item.join:
        rows.append((m("web.page_join"), escape(item.join)))
    details = "".join(f"<dt>{term}</dt><dd>{value}</dd>" for term, value in rows)
    status = ' class="cancelled"' if s.cancelled else ""
    return (
        f'<li{status}><article aria-labelledby="s{s.id}"><h3 id="s{s.id}">'
        f"{escape(s.title)}</h3><dl>{details}</dl></article></li>"
    )
