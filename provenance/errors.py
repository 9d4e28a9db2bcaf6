"""Errors the command line turns into a one-line message and exit code 1."""


class ProvenanceError(Exception):
    """Base class: a problem with the user's input, not a bug."""


class InputError(ProvenanceError):
    """The input cannot be read (missing, empty, undecodable, malformed)."""
