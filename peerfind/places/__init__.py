"""Places offline: the US gazetteer behind geopy's interface, suggestions, the online fallback."""
