"""Typed errors the core raises; only the CLI turns them into messages and exit codes."""


class OrgscanError(Exception):
    """Base class for errors that end a command with one clear line."""


class ConfigError(OrgscanError):
    """Bad option, configuration file or environment: exit code 1."""


class RunFolderError(OrgscanError):
    """A run folder that is missing, unreadable or not an orgscan run: exit code 1."""


class DiscoveryError(OrgscanError):
    """The organization could not be listed at all (no per-account result is possible)."""
