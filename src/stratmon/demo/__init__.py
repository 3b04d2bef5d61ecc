"""Demo workspace built from real market data (S&P 500, NASDAQ, WTI shipped with arch)."""
