"""Geography: the GeoNames gazetteer, great-circle distance and the map grid. Used by nlp, detect,
the store and the web; imports nothing of forewarn above ``model`` and ``errors``."""
