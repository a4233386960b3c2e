class TradingViewParser: pass
