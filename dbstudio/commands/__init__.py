"""Subcommands of ``dbstudio``: each module here has ``register(subparsers)`` and is found automatically.

A command is a thin shell over compiler functions: read input with ``dbstudio.cliutil.read_input``
(``-`` is stdin), write with ``write_output`` (stdout unless ``-o``), raise ``CliError`` for a clear
message and exit code 1.
"""
