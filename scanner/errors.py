"""Typed errors the core raises; only the CLI turns them into messages and exit codes."""


class OrgscanError(Exception):
    """Base class for errors that end a command with one clear line."""


class ConfigError(OrgscanError):
    """Bad option, configuration file or environment: exit code 1."""


class RunFolderError(OrgscanError):
    """A run folder that is missing, unreadable or not an orgscan run: exit code 1."""


class DiscoveryError(OrgscanError):
    """The organization could not be listed at all (no per-account result is possible)."""


class OutputError(OrgscanError):
    """A file of the run folder or the log cannot be written (disk full, read-only, a path under a file).

    Fatal to the whole run: going on would record every later account as failed for a reason that has
    nothing to do with it. The scan stops; every file already written stays complete on disk.
    """


class HistoryError(OrgscanError):
    """The history database cannot be opened, read or written; the run folder itself stays complete."""
