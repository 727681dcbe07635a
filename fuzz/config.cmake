# Fuzz target: the configuration loader (src/lib/config) on attt.ini text.
attt_fuzz(config LIBS attt_config attt_base)
