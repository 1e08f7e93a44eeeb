"""Helpers the tests share: demo servers, the CLI, raw-table comparison, the deployment stack."""
