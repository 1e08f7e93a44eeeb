"""Odoo's server-side exceptions, as they travel in a JSON-RPC error reply."""


class OdooError(Exception):
    """An error Odoo reports with HTTP 200 and `error.data.name` = `name`."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name
        self.message = message


def value_error(message: str) -> OdooError:
    return OdooError("builtins.ValueError", message)


def access_denied() -> OdooError:
    return OdooError("odoo.exceptions.AccessDenied", "Access Denied")
