"""Headers every answer carries: no scripts, no framing, no referrer that could leak a token.

A member's calendar address is its own secret, so nothing here may send it elsewhere:
`Referrer-Policy: no-referrer` keeps it out of any link followed from a page, and the
feeds ask search engines not to index them.
"""

from __future__ import annotations

import base64
import hashlib

from aiohttp import web


def style_source(css: str) -> str:
    """A CSP source allowing exactly this inline stylesheet and no other."""
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def policy(style: str = "") -> str:
    styles = f"style-src {style}; " if style else ""
    return (
        f"default-src 'none'; {styles}base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


BASE = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def secure(response: web.StreamResponse, style: str = "") -> web.StreamResponse:
    response.headers.update(BASE)
    response.headers["Content-Security-Policy"] = policy(style)
    return response


def plain(status: int, text: str, cache: str = "no-store") -> web.Response:
    """A short plain answer (404, 429, health) that says no more than it must."""
    response = web.Response(status=status, text=text, headers={"Cache-Control": cache})
    secure(response)
    return response
