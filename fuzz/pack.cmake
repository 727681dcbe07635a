# Fuzz target: the backup engine's pack header and trailer parsers (src/lib/backup/format.c).
attt_fuzz(pack LIBS attt_backup attt_base)
