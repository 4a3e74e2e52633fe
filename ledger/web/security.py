"""Security headers on every response: pages, API answers, errors and files alike.

The pages load scripts, styles and images from the ledger itself only and hold no inline
script, so the content security policy can be ``default-src 'self'``; charts are inline SVG
markup, which the policy allows. Nothing may frame the ledger (clickjacking). HSTS is sent
only when cookies are secure, i.e. when the ledger is served over HTTPS (it would lock a
plain-HTTP ``make run`` out of the browser for a year).
"""

from __future__ import annotations

from flask import Flask, Response, current_app

CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
                           "form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def setup_security_headers(app: Flask) -> None:
    app.after_request(_add_headers)
