"""orgscan: IAM Security Status scorecards for every account of an AWS Organization."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("orgscan")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
