"""Account rules shared by the register form and the CLI."""

from __future__ import annotations

MIN_PASSWORD_LENGTH = 12

# The most common passwords of 12+ characters in public breach lists.
COMMON_PASSWORDS: frozenset[str] = frozenset({
    "123456789012", "1234567890123", "12345678901234", "password1234", "password12345",
    "passwordpassword", "qwertyuiopas", "qwerty123456", "qwertyuiop123", "123456123456",
    "111111111111", "000000000000", "abcdefghijkl", "abc123abc123", "iloveyou1234",
    "letmein12345", "welcome12345", "administrator", "adminadmin12", "changeme1234",
    "football1234", "baseball1234", "sunshine1234", "princess1234", "trustno1trustno1",
    "monkey123456", "dragon123456", "1q2w3e4r5t6y", "1qaz2wsx3edc", "zaq12wsxcde3",
    "aaaaaaaaaaaa", "asdfghjklasd", "p@ssw0rd1234", "passw0rd1234", "password123!",
    "ketamine1234", "clinic123456", "mypassword12", "superman1234", "starwars1234",
})  # fmt: skip


class AccountError(Exception):
    """An account rule was broken; the message is safe to show."""


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased, so one person cannot hold two accounts by case."""
    return (email or "").strip().lower()


def password_problem(password: str) -> str | None:
    """Why a password is not acceptable, or None when it is."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "That password is too easy to guess. Try a few unrelated words together."
    return None
