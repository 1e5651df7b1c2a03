"""Huying 呼应: consultative democracy and responsive city governance."""

__version__ = "0.1.0"
