"""The message a person needs from a Dagster failure: the user's exception, not Dagster's wrapper."""

from __future__ import annotations


def user_message(error) -> str:
    """From a SerializableErrorInfo: the innermost cause's message without its class path."""
    while error.cause is not None:
        error = error.cause
    message = error.message.strip()
    prefix, sep, rest = message.partition(": ")  # "package.module.OdooError: text" -> "text"
    if sep and prefix.rsplit(".", 1)[-1] == error.cls_name:
        return rest
    return message
