# Fuzz target: the strict CSV reader of agency and people import (src/lib/org/csv.c).
attt_fuzz(csv LIBS attt_org attt_base)
