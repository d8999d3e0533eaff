"""forewarn: open-source indications and warning."""

__version__ = "0.1.0"
