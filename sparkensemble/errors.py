"""Errors shared by the pure modules."""


class MemberDataError(ValueError):
    """A member's rows cannot train a model (for example, they hold a single class)."""
