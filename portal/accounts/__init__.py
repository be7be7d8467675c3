"""Clinic staff and moderator accounts: register, sign in, sign out."""
