"""stratmon: a live performance monitor for trading strategies."""

__version__ = "0.1.0"
