"""Review rules, one module per theme. Importing this package registers them all."""

from . import configuration, conventions, dialects, indexes, keys, modelling, naming, security, types  # noqa: F401
