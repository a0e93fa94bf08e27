"""The service layer beside the core: the unit of work, the typed settings, the clock port."""
