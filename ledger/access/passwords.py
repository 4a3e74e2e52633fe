"""What a password must be: long, and not one that guessing tries early.

Length alone lets ``aaaaaaaaaaaa`` through; zxcvbn estimates how many guesses an attacker
needs, with dictionaries of common passwords, names and words, and patterns (repeats,
sequences, years, keyboard walks). A score of 3 is "safely unguessable" for an online attack
(about 10^8 guesses), which is what a throttled log-in form faces.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

from ledger.core.errors import ValidationFailed
from ledger.core.text import N_

MIN_LENGTH = 12
MIN_SCORE = 3


def check_password(password: str, *, username: str = "", display_name: str = "") -> None:
    """Raise ``ValidationFailed`` unless ``password`` is long enough and hard to guess."""
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(N_("The password must have at least %(min)s characters"), min=MIN_LENGTH)
    # zxcvbn's time grows with the length; the first 100 characters decide the score anyway.
    estimate = zxcvbn(password[:100], user_inputs=[value for value in (username, display_name) if value])
    if estimate["score"] < MIN_SCORE:
        # zxcvbn's hint is English only: the details carry it for scripts, the message the advice.
        hint = estimate["feedback"].get("warning") or "it is too easy to guess"
        raise ValidationFailed(N_("The password is too easy to guess; choose a longer one, for example a few "
                                  "unrelated words"), details=[{"field": "password", "messages": [hint]}])
